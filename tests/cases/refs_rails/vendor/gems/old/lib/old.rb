def legacy_status; end
