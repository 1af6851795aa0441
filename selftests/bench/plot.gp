# SPDX-License-Identifier: GPL-2.0
#
# plot.gp - the per-exit figures of one `make bench` target, kvmini next
# to KVM, as an SVG bar chart with the quartiles as error bars:
#
#   gnuplot -e "dat='T.dat'; out='T.svg'; title='...'; unit='...'; \
#               matched=0|1" plot.gp
#
# DAT (written by `bench report`): a label, then median, first and third
# quartile for kvmini and KVM and, with matched=1, for both without
# their L1D flush; tab-separated.
set terminal svg size 900,500 dynamic font "sans,12"
set output out
set datafile separator "\t"
set title title
set style data histograms
set style histogram errorbars gap 2 lw 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set format y "%.0f"
# From a third of the smallest first quartile: bars of one height would
# otherwise start far below the figures.
stats dat using 3 nooutput name "A"
stats dat using 6 nooutput name "B"
lo = A_min < B_min ? A_min : B_min
if (matched) {
	stats dat using 9 nooutput name "C"
	stats dat using 12 nooutput name "D"
	lo = C_min < lo ? C_min : lo
	lo = D_min < lo ? D_min : lo
}
set yrange [lo / 3:*]
set mytics 10
set grid ytics mytics
set ylabel unit
set xtics rotate by -30 nomirror
set key top left
if (matched) {
	plot dat using 2:3:4:xtic(1) title "kvmini" lc rgb "#1b7837", \
	     '' using 5:6:7 title "KVM" lc rgb "#762a83", \
	     '' using 8:9:10 title "kvmini, no L1D flush" lc rgb "#7fbf7b", \
	     '' using 11:12:13 title "KVM, no L1D flush" lc rgb "#af8dc3"
} else {
	plot dat using 2:3:4:xtic(1) title "kvmini" lc rgb "#1b7837", \
	     '' using 5:6:7 title "KVM" lc rgb "#762a83"
}
