class NightlyExportJob < ApplicationJob
  def perform
    Order.find_each do |order|
      Exporter.push(order.id, order.status, order.legacy_status)
    end
  end
end
