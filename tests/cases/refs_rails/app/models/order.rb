class Order < ApplicationRecord
  belongs_to :customer
  has_many :line_items, dependent: :destroy

  validates :status, inclusion: { in: %w[open paid refunded] }

  def paid?
    status == "paid"
  end

  def export_label
    "#{id}-#{legacy_status}"
  end
end
