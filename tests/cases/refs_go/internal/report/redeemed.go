package report

const redeemedSQL = `SELECT code, count(*) FROM coupons JOIN orders ON orders.coupon_id = coupons.id GROUP BY code`
