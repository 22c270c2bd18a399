require "rails_helper"

RSpec.describe Order do
  it "labels exports" do
    order = build(:order, legacy_status: "x")
    expect(order.export_label).to end_with("x")
  end
end
