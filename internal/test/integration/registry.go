package integration

import "time"

// Registry is every component a run can have, in a sensible start order.
// Add a component here with its file; see the package documentation.
var Registry = []Spec{
	{Name: "pbx", New: newApache, Packages: []string{"apache2", "monitoring-plugins-basic"}},
	{Name: "mariadb", New: newMariaDB, Packages: []string{"mariadb-server", "mariadb-client"}},
	{Name: "graphite", New: newGraphite, Reads: []string{"icinga2"}, Packages: []string{"graphite-carbon", "graphite-web"}},
	{Name: "influxdb", New: newInfluxDB, Reads: []string{"icinga2"}, Packages: []string{"influxdb"}},
	// A page a service, each page's graphs drawn by graphite-web.
	{Name: "icingaweb", New: newIcingaWeb, Needs: []string{"mariadb", "graphite"}, Reads: []string{"icinga2"}, CheckTimeout: 5 * time.Minute,
		Packages: []string{"icingaweb2", "icingaweb2-module-monitoring", "icingaweb2-module-graphite", "icinga2-ido-mysql",
			"php-cli", "php-mysql", "php-curl", "php-intl", "chromium"}},
	{Name: "redis", New: newRedis, Packages: []string{"redis-server", "redis-tools"}},
	// Two pages a service (detail and history), each page's graphs drawn by graphite-web.
	{Name: "icingadb", New: newIcingaDB, Needs: []string{"mariadb", "graphite", "redis"}, Reads: []string{"icinga2"}, CheckTimeout: 5 * time.Minute,
		Packages: []string{"icingadb", "icingadb-web", "icinga-php-library", "icinga-php-thirdparty", "icingaweb2", "icingaweb2-module-graphite",
			"php-cli", "php-mysql", "php-curl", "php-intl", "php-xml", "php-mbstring", "chromium"}},
	{Name: "icinga2", New: newIcinga, Needs: []string{"pbx"}, After: []string{"graphite", "influxdb", "icingaweb", "icingadb"}, Packages: []string{"icinga2"}},
	{Name: "nagios", New: newNagios, Needs: []string{"pbx"}, Packages: []string{"nagios4"}},
	// The first run builds Naemon: about 50 s on two idle cores, minutes on busy ones.
	{Name: "naemon", New: newNaemon, Needs: []string{"pbx"}, StartTimeout: 20 * time.Minute,
		Packages: []string{"autoconf", "automake", "libtool", "libglib2.0-dev", "gperf", "help2man", "pkg-config", "make", "gcc", "libc6-dev"}},
	{Name: "nrpe-pbx", New: newNRPEPBX, Packages: []string{"nagios-nrpe-server"}},
	{Name: "nrpe", New: newNRPE, Needs: []string{"pbx", "nrpe-pbx"}, Packages: []string{"nagios-nrpe-plugin"}},
	{Name: "nagios-nrpe", New: newNagiosNRPE, Needs: []string{"pbx", "nrpe-pbx"}, Packages: []string{"nagios4", "nagios-nrpe-plugin"}},
	{Name: "icinga-cluster", New: newIcingaCluster, Needs: []string{"pbx"}, Packages: []string{"icinga2"}},
	{Name: "icinga-satellite", New: newIcingaSatellite, Needs: []string{"icinga-cluster"}},
	{Name: "icinga-agent", New: newIcingaAgent, Needs: []string{"icinga-cluster"}},
	{Name: "zabbix", New: newZabbix, Needs: []string{"pbx", "mariadb"},
		Packages: []string{"zabbix-server-mysql", "zabbix-frontend-php", "php-cli", "php-mysql", "php-gd", "php-bcmath", "php-mbstring", "php-xml", "php-ldap", "chromium"}},
	{Name: "director", New: newDirector, Needs: []string{"pbx", "mariadb"},
		Packages: []string{"icinga2", "icingaweb2", "icingacli", "icingaweb2-module-director", "php-mysql"}},
}
