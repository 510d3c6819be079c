package main

import "bulkpay/internal/render"

// What the tests decode the JSON output into.
type (
	statusJSON   = render.StatusJSON
	validateJSON = render.ValidateJSON
	planJSON     = render.PlanJSON
	balanceLine  = render.BalanceLine
	listLine     = render.ListLine
)
