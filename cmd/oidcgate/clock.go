package main

import "time"

// nowFunc is the clock for Apache-style timestamps.
func nowFunc() time.Time { return time.Now() }
