class NightlyExportJob < ApplicationJob
  def perform
    Order.find_each { |order| Exporter.push(order.id, order.state_id) }
  end
end
