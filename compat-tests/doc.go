// Package compattests proves oidcgate equivalent to the real Apache httpd +
// mod_auth_openidc (Debian 12's packages) by running both on the same
// input and comparing what they do. The tests need the packages installed
// (scripts/test-all and setup.sh do it); with OIDCGATE_REQUIRE_APACHE=1 a
// missing Apache fails the tests instead of skipping them.
package compattests
