module check-itgrix

go 1.24.0

require (
	github.com/abbot/go-http-auth v0.4.0
	github.com/alecthomas/kingpin/v2 v2.4.0
	github.com/atc0005/go-nagios v0.20.0
	github.com/icholy/digest v1.2.0
	github.com/xhit/go-str2duration/v2 v2.1.0
)

require (
	github.com/alecthomas/units v0.0.0-20211218093645-b94a6e3cc137 // indirect
	golang.org/x/crypto v0.48.0 // indirect
	golang.org/x/net v0.50.0 // indirect
)
