package models

type Order struct {
	ID       uint
	Status   string
	CouponID *uint
	Coupon   *Coupon `gorm:"foreignKey:CouponID"`
}
