package devop

// DemoUsers returns the demo accounts: claims chosen to exercise a relying
// party's claim handling — non-ASCII names, email_verified true and false,
// arrays (one empty), nested objects, integers, a float, booleans, a null,
// an empty string, a claim named by a URL and values containing commas.
// Require claim email_verified:true fails for "juergen".
func DemoUsers() []User {
	return []User{
		{
			Subject: "zoe",
			Claims: map[string]any{
				"name":               "Zoë Ångström",
				"given_name":         "Zoë",
				"family_name":        "Ångström",
				"preferred_username": "zoe",
				"email":              "zoe@example.com",
				"email_verified":     true,
				"locale":             "sv-SE",
				"title":              "Head of R&D, Platform",
				"groups":             []any{"developers", "ops, on-call", "admins"},
				"roles":              []any{"admin", "editor"},
				"realm_access":       map[string]any{"roles": []any{"offline_access", "uma_authorization", "admin"}},
				"address": map[string]any{
					"street_address": "Storgatan 1",
					"locality":       "Malmö",
					"postal_code":    "211 34",
					"country":        "SE",
				},
				"https://example.com/roles": []any{"admin", "billing"},
				"age":                       34,
				"score":                     4.75,
				"mfa":                       true,
				"middle_name":               nil,
				"nickname":                  "",
				"updated_at":                1700000000,
			},
			IDTokenClaims: []string{"name", "preferred_username", "email", "email_verified", "groups", "https://example.com/roles"},
		},
		{
			Subject: "juergen",
			Claims: map[string]any{
				"name":               "Jürgen Weiß",
				"given_name":         "Jürgen",
				"family_name":        "Weiß",
				"preferred_username": "juergen",
				"email":              "juergen@example.com",
				"email_verified":     false,
				"locale":             "de-DE",
				"groups":             []any{"users"},
				"roles":              []any{"viewer"},
				"realm_access":       map[string]any{"roles": []any{"offline_access"}},
				"address":            map[string]any{"locality": "Köln", "country": "DE"},
				"age":                51,
				"score":              -0.5,
				"mfa":                false,
				"nickname":           "Jü",
			},
			IDTokenClaims: []string{"name", "preferred_username", "email", "email_verified"},
		},
		{
			Subject: "li",
			Claims: map[string]any{
				"name":               "李雷",
				"preferred_username": "li.lei",
				"email":              "li.lei@example.com",
				"email_verified":     true,
				"locale":             "zh-CN",
				"groups":             []any{},
				"realm_access":       map[string]any{"roles": []any{}},
				"note":               "likes \"quotes\", commas, and <angle brackets>",
			},
			IDTokenClaims: []string{"name", "email", "email_verified"},
		},
	}
}
