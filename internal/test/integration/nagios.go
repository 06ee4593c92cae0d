package integration

import "context"

// newNagios is Nagios Core 4 from Debian's nagios4 with contrib/nagios and
// the stock sample objects in /etc/nagios4/objects.
func newNagios() Component {
	return &nagiosCore{
		name:      "nagios",
		daemon:    debianNagios,
		templates: map[Check]string{App: "itgrix-app", License: "itgrix-license"},
	}
}

func debianNagios(context.Context, *Env) (string, []string, error) {
	var stock []string
	for _, f := range []string{"commands", "contacts", "timeperiods", "templates"} {
		stock = append(stock, "/etc/nagios4/objects/"+f+".cfg")
	}
	return "/usr/sbin/nagios4", stock, nil
}
