"""Generate a Rails-monolith-like tree for the code-reference benchmark (deterministic, cached on disk)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

NOUNS = [
    "order",
    "account",
    "invoice",
    "payment",
    "shipment",
    "customer",
    "product",
    "vendor",
    "coupon",
    "refund",
    "ticket",
    "message",
    "report",
    "subscription",
    "plan",
    "device",
    "session",
    "address",
    "review",
    "cart",
    "wallet",
    "ledger",
    "transfer",
    "payout",
    "merchant",
    "store",
    "region",
    "tax_rate",
    "discount",
    "bundle",
    "warehouse",
    "parcel",
    "carrier",
    "route",
    "driver",
    "rider",
    "booking",
    "venue",
    "event",
    "badge",
    "survey",
    "answer",
    "lesson",
    "course",
    "grade",
]
ADJECTIVES = [
    "legacy",
    "daily",
    "bulk",
    "draft",
    "pending",
    "internal",
    "partner",
    "public",
    "archived",
    "primary",
    "mobile",
    "web",
    "retail",
    "wholesale",
    "trial",
    "promo",
    "audit",
    "export",
    "import",
    "sync",
    "batch",
    "manual",
    "auto",
    "scheduled",
    "nightly",
    "weekly",
    "monthly",
    "global",
    "local",
    "shared",
    "team",
    "user",
    "admin",
    "guest",
    "remote",
    "edge",
    "core",
    "main",
    "extra",
    "new",
    "old",
    "smart",
    "fast",
    "safe",
    "open",
    "closed",
    "live",
    "test",
    "beta",
    "alpha",
]
COLUMNS = [
    "name",
    "status",
    "email",
    "amount_cents",
    "currency",
    "created_at",
    "updated_at",
    "state_id",
    "notes",
    "external_ref",
    "archived_at",
    "deleted_at",
    "position",
    "priority",
    "kind",
    "code",
    "title",
    "description",
    "quantity",
    "price_cents",
    "total_cents",
    "paid_at",
    "shipped_at",
    "token",
    "locale",
    "timezone",
    "country",
    "phone",
    "metadata",
    "settings",
    "score",
]
# Identifiers the benchmark searches; each is planted in a small share of the files.
PLANTED = [
    "legacy_status",
    "old_price_cents",
    "tax_region_code",
    "fulfillment_mode",
    "referrer_code",
    "billing_cycle_anchor",
    "promo_segment",
    "vip_tier_level",
    "sla_deadline_at",
    "fraud_score_v1",
    "legacy_sku",
    "warehouse_zone_code",
    "gift_wrap_note",
    "loyalty_points_v1",
    "partner_batch_ref",
    "courier_hint",
]
VERSION = "2"  # bump when the generated content changes


def _entities(count: int) -> list[str]:
    pairs = [f"{adj}_{noun}" for noun in NOUNS for adj in ADJECTIVES]
    random.Random(7).shuffle(pairs)
    extra = [f"{p}_{i}" for i in range(count // max(1, len(pairs)) + 1) for p in pairs]
    return (pairs + extra)[:count]


def _camel(snake: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in snake.split("_"))


def _columns(rng: random.Random) -> list[str]:
    cols = rng.sample(COLUMNS, rng.randint(6, 10))
    if rng.random() < 0.15:
        cols.append(rng.choice(PLANTED))
    return cols


def _model(e: str, cols: list[str], rng: random.Random) -> str:
    klass = _camel(e)
    lines = [f"class {klass} < ApplicationRecord", f'  self.table_name = "{e}s"']
    lines += [
        f"  belongs_to :{rng.choice(NOUNS)}, optional: true",
        f"  has_many :{e}_items, dependent: :destroy",
    ]
    lines += [f"  validates :{c}, presence: true" for c in cols[:3]]
    lines += ["", f"  scope :recent, -> {{ where('{e}s.created_at > ?', 30.days.ago) }}", ""]
    for c in cols:
        lines += [f"  def {c}_label", f"    {c}.to_s.humanize", "  end", ""]
    lines.append("end")
    return "\n".join(lines) + "\n"


def _controller(e: str, cols: list[str]) -> str:
    klass = _camel(e)
    permitted = ", ".join(f":{c}" for c in cols)
    body = f"""class {klass}sController < ApplicationController
  before_action :set_{e}, only: %i[show edit update destroy]

  def index
    @{e}s = {klass}.recent.order(created_at: :desc).page(params[:page])
  end

  def show; end

  def create
    @{e} = {klass}.new({e}_params)
    if @{e}.save
      redirect_to @{e}, notice: "{klass} was created."
    else
      render :new, status: :unprocessable_entity
    end
  end

  def update
    if @{e}.update({e}_params)
      redirect_to @{e}
    else
      render :edit, status: :unprocessable_entity
    end
  end

  private

  def set_{e}
    @{e} = {klass}.find(params[:id])
  end

  def {e}_params
    params.require(:{e}).permit({permitted})
  end
end
"""
    return body


def _job(e: str, cols: list[str]) -> str:
    klass = _camel(e)
    reads = "\n".join(f"      row << record.{c}" for c in cols)
    return f"""class {klass}SyncJob < ApplicationJob
  queue_as :default

  def perform(since)
    {klass}.where("updated_at > ?", since).find_each do |record|
      row = []
{reads}
      Exporter.push("{e}", row)
    end
  end
end
"""


def _serializer(e: str, cols: list[str]) -> str:
    attrs = ", ".join(f":{c}" for c in cols)
    return f"""class {_camel(e)}Serializer < ActiveModel::Serializer
  attributes :id, {attrs}

  def links
    {{ self: "/api/{e}s/#{{object.id}}" }}
  end
end
"""


def _view(e: str, cols: list[str]) -> str:
    cells = "\n".join(f"    <td><%= {e}.{c} %></td>" for c in cols)
    return f"""<h1>{_camel(e)}</h1>
<table class="table">
  <% @{e}s.each do |{e}| %>
  <tr>
{cells}
    <td><%= link_to "Show", {e} %></td>
  </tr>
  <% end %>
</table>
"""


def _spec(e: str, cols: list[str]) -> str:
    lets = "\n".join(f"    it {{ is_expected.to respond_to(:{c}) }}" for c in cols)
    return f"""require "rails_helper"

RSpec.describe {_camel(e)}, type: :model do
  subject {{ build(:{e}) }}

  describe "attributes" do
{lets}
  end

  it "is valid with defaults" do
    expect(subject).to be_valid
  end
end
"""


def _service(e: str, cols: list[str], verb: str) -> str:
    assigns = "\n".join(f"      {c}: attrs[:{c}]," for c in cols[:5])
    return f"""module {_camel(e)}s
  class {verb.capitalize()}
    def initialize(actor)
      @actor = actor
    end

    def call(attrs)
      record = {_camel(e)}.new(
{assigns}
      )
      record.save!
      AuditLog.record(@actor, :{verb}, record)
      record
    end
  end
end
"""


def _factory(e: str, cols: list[str]) -> str:
    fields = "\n".join(f"    {c} {{ nil }}" for c in cols)
    return f"FactoryBot.define do\n  factory :{e} do\n{fields}\n  end\nend\n"


def _files(e: str, rng: random.Random) -> dict[str, str]:
    cols = _columns(rng)
    files = {
        f"app/models/{e}.rb": _model(e, cols, rng),
        f"app/controllers/{e}s_controller.rb": _controller(e, cols),
        f"app/jobs/{e}_sync_job.rb": _job(e, cols),
        f"app/serializers/{e}_serializer.rb": _serializer(e, cols),
        f"spec/models/{e}_spec.rb": _spec(e, cols),
        f"spec/factories/{e}s.rb": _factory(e, cols),
    }
    for view in ("index", "show", "edit", "new", "_form", "_row"):
        files[f"app/views/{e}s/{view}.html.erb"] = _view(e, cols)
    for verb in ("create", "update", "archive", "restore", "export", "import", "notify", "merge"):
        files[f"app/services/{e}s/{verb}.rb"] = _service(e, cols, verb)
    files[f"spec/requests/{e}s_spec.rb"] = _spec(e, cols[::-1])
    files[f"spec/jobs/{e}_sync_job_spec.rb"] = _spec(e, cols[1:])
    files[f"spec/serializers/{e}_serializer_spec.rb"] = _spec(e, cols[:4])
    return files


FILES_PER_ENTITY = 23


def build(root: Path, files: int) -> Path:
    """Write a tree of about `files` files under root (reused when it is already complete)."""
    marker = root / ".complete"
    if marker.exists() and marker.read_text() == f"{files} v{VERSION}":
        return root
    if root.exists():
        shutil.rmtree(root)
    rng = random.Random(files)
    written = 0
    for entity in _entities(files // FILES_PER_ENTITY + 1):
        for rel, text in _files(entity, rng).items():
            if written >= files:
                break
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            written += 1
    marker.write_text(f"{files} v{VERSION}")
    return root
