class ReportsController < ApplicationController
  def invoices
    rows = ActiveRecord::Base.connection.exec_query(
      "SELECT number, total_cents FROM legacy_invoices WHERE customer_id = #{current_customer.id}"
    )
    render json: rows
  end
end
