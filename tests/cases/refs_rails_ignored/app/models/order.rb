class Order < ApplicationRecord
  self.ignored_columns += ["legacy_status"]

  belongs_to :customer
end
