DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",
    }
}
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "orders"]
