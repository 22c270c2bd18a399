class OrderSerializer < ActiveModel::Serializer
  attributes :id, :status, :total_cents
end
