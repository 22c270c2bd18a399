class NightlyExportJob < ApplicationJob
  queue_as :low

  def perform(day)
    Order.where(created_at: day.all_day).find_each do |order|
      Exporter.push(order.id, order.legacy_status, order.total_cents)
    end
    shipped = Shipment.connection.select_values("SELECT status FROM shipments WHERE shipped_on = CURRENT_DATE")
    Exporter.push_statuses(shipped)
  end
end
