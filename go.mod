module github.com/oidcgate/oidcgate

go 1.26.8
