import pytest

from bot.references.code_access import flag_guard, is_write
from bot.references.code_areas import classify, file_area


@pytest.mark.parametrize(
    ("line", "write"),
    [
        ("order.legacy_status = 'x'", True),
        ("Order.create!(legacy_status: 'x')", True),
        ("Order.objects.create(legacy_status='x')", True),
        ("params.require(:order).permit(:id, :legacy_status)", True),
        ("UPDATE orders SET legacy_status = 'x'", True),
        ("Order.where(legacy_status: 'x')", False),
        ("Order.objects.filter(legacy_status='x')", False),
        ("Order.objects.filter(legacy_status__in=['x'])", False),
        ("if order.legacy_status == 'x'", False),
        ('self.legacy_status = row["legacy_status"]', False),
    ],
)
def test_writes(line: str, write: bool) -> None:
    start = line.index("legacy_status")
    end = start + len("legacy_status")
    while end < len(line) and (line[end].isalnum() or line[end] == "_"):
        end += 1
    assert is_write(line, start, end) is write


@pytest.mark.parametrize(
    ("window", "flag"),
    [
        ("if Flipper.enabled?(:order_state_v2, user)\n  order.state_id = 2", ("Flipper", "order_state_v2")),
        ("order.state_id = 2 if Feature.enabled?(:new_state)", ("feature flag", "new_state")),
        (
            'if ld_client.variation("new-state", ctx, False):\n    order.state_id = 2',
            ("LaunchDarkly", "new-state"),
        ),
        ('if unleash.is_enabled("new_state"):\n    order.state_id = 2', ("Unleash", "new_state")),
        ('if flag_is_active(request, "new_state"):\n    order.state_id = 2', ("django-waffle", "new_state")),
        (
            'if (await client.getBooleanValue("new-state", false)) {\n  order.stateId = 2;',
            ("OpenFeature", "new-state"),
        ),
        ("if settings.USE_ORDER_STATE:\n    order.state_id = 2", ("settings toggle", "USE_ORDER_STATE")),
        ("if Flipper.enabled?(:x)\n  a = 1\nend\norder.state_id = 2", None),
        ("order.state_id = 2", None),
    ],
)
def test_feature_flags(window: str, flag: tuple[str, str] | None) -> None:
    assert flag_guard(window) == flag


@pytest.mark.parametrize(
    ("path", "text", "line", "area"),
    [
        ("app/jobs/export_job.rb", "", "x.legacy_status", "job"),
        ("app/workers/export.rb", "include Sidekiq::Job", "x.legacy_status", "job"),
        ("lib/export.py", "@shared_task\ndef run(): ...", "x.legacy_status", "job"),
        ("app/serializers/order_serializer.rb", "", "attributes :legacy_status", "serializer"),
        ("schema/order.graphql", "", "legacyStatus: String", "serializer"),
        ("lib/report.rb", "", 'q = "SELECT legacy_status FROM orders"', "raw-sql"),
        ("app/models/order.rb", "", "has_many :line_items", "association"),
        ("app/models/order.rb", "", "x.legacy_status", "model"),
        ("app/views/orders/show.html.erb", "", "<%= order.legacy_status %>", "view"),
        ("spec/models/order_spec.rb", "", "x.legacy_status", "test"),
        ("docs/orders.md", "", "legacy_status", "doc"),
        ("config/settings.yml", "", "legacy_status: true", "config"),
        ("app/services/checkout.rb", "", "x.legacy_status", "other"),
    ],
)
def test_areas(path: str, text: str, line: str, area: str) -> None:
    assert classify(file_area(path, text), line) == area


@pytest.mark.parametrize(
    ("path", "text", "line"),
    [
        ("prisma/schema/link.prisma", "model Link {\n  threadId String\n}\n", "  threadId String"),
        (
            "src/app/models/manual_tasks/manual_task.py",
            "class ManualTask(Base):\n    due_date = Column(DateTime)\n",
            "    due_date = Column(DateTime)",
        ),
        (
            "app/models/billing_job.rb",
            "class BillingJob < ApplicationRecord\nend\n",
            "  self.table_name = 'jobs'",
        ),
    ],
)
def test_a_models_own_file_is_the_model_not_an_api_schema_or_a_job(path: str, text: str, line: str) -> None:
    """papermark splits its Prisma schema into `prisma/schema/*.prisma` (taken for an API schema) and fides
    keeps `models/manual_tasks/manual_task.py` (taken for a queue's task by its `_task.py`)."""
    assert classify(file_area(path, text), line) == "model"


def test_the_same_names_outside_a_model_file_keep_their_areas() -> None:
    assert classify(file_area("api/schema/link.json", "{}"), '"threadId": 1') == "serializer"
    assert classify(file_area("src/app/workers/manual_task.py", ""), "    due_date = 1") == "job"
