class Order < ApplicationRecord
  self.ignored_columns += ["legacy_status"]

  validates :status, presence: true
end
