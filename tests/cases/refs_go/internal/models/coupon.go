package models

type Coupon struct {
	ID   uint
	Code string
}

func (Coupon) TableName() string { return "coupons" }
