namespace :invoices do
  task purge: :environment do
    LegacyInvoice.where("created_at < ?", 7.years.ago).delete_all
  end
end
