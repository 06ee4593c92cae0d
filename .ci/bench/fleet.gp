# Plot of make bench-fleet: gnuplot -e "data='fleet.dat'; out='x.png'; naemon=0" fleet.gp
# Data blocks: Icinga 2 (index 0 plugin, 1 recipe, 2 floor), then Naemon
# (3, 4, 5; one undefined point when not run): PBXs-at-60s, scheduled
# checks/s, sustained checks/s, average latency (s), CPU per check (ms).
set terminal pngcairo size 1100,460 font "sans,10"
set output out
set multiplot layout 1,2 title "One poller core: app check for N PBXs (interval scaled to 60 s)"
set logscale x 2
set xlabel "PBXs per poller core (60 s interval)"
set grid
set key top left
set ylabel "average check latency (s, log)"
set logscale y 10
set yrange [0.0005:*]
plot data index 0 using 1:($4 < 0.0005 ? 0.0005 : $4) with linespoints lw 2 pt 7 title "check\\_itgrix\\_app, Icinga 2", \
     data index 1 using 1:($4 < 0.0005 ? 0.0005 : $4) with linespoints lw 2 pt 5 title "vendor recipe (bash+curl+jq), Icinga 2", \
     data index 3 using 1:($4 < 0.0005 ? 0.0005 : $4) with linespoints lw 1 dt 3 pt 6 lc 1 title (naemon ? "check\\_itgrix\\_app, Naemon" : ""), \
     data index 4 using 1:($4 < 0.0005 ? 0.0005 : $4) with linespoints lw 1 dt 3 pt 4 lc 2 title (naemon ? "vendor recipe, Naemon" : ""), \
     1 with lines dt 2 lc rgb "red" title "1 s"
set ylabel "poller CPU per check (ms, log)"
set yrange [1:*]
plot data index 0 using 1:5 with linespoints lw 2 pt 7 title "check\\_itgrix\\_app", \
     data index 1 using 1:5 with linespoints lw 2 pt 5 title "vendor recipe", \
     data index 2 using 1:5 with points pt 9 ps 1.5 title "/bin/true (the engine alone)", \
     data index 3 using 1:5 with linespoints lw 1 dt 3 pt 6 lc 1 notitle, \
     data index 4 using 1:5 with linespoints lw 1 dt 3 pt 4 lc 2 notitle, \
     data index 5 using 1:5 with points pt 8 ps 1.5 lc 3 notitle
unset multiplot
