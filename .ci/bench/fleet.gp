# Plot of make bench-fleet: gnuplot -e "data='fleet.dat'; out='x.png'" fleet.gp
# Data blocks (index 0 plugin, 1 recipe, 2 floor): PBXs-at-60s, scheduled
# checks/s, sustained checks/s, average latency (s), CPU per check (ms).
set terminal pngcairo size 1100,460 font "sans,10"
set output out
set multiplot layout 1,2 title "Icinga 2 on one core: app check for N PBXs (interval scaled to 60 s)"
set logscale x 2
set xlabel "PBXs per poller core (60 s interval)"
set grid
set key top left
set ylabel "average check latency (s, log)"
set logscale y 10
set yrange [0.0005:*]
plot data index 0 using 1:($4 < 0.0005 ? 0.0005 : $4) with linespoints lw 2 pt 7 title "check\\_itgrix\\_app", \
     data index 1 using 1:($4 < 0.0005 ? 0.0005 : $4) with linespoints lw 2 pt 5 title "vendor recipe (bash+curl+jq)", \
     1 with lines dt 2 lc rgb "red" title "1 s"
set ylabel "poller CPU per check (ms, log)"
set yrange [1:*]
plot data index 0 using 1:5 with linespoints lw 2 pt 7 title "check\\_itgrix\\_app", \
     data index 1 using 1:5 with linespoints lw 2 pt 5 title "vendor recipe", \
     data index 2 using 1:5 with points pt 9 ps 1.5 title "/bin/true (the engine alone)"
unset multiplot
