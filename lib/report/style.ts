/** The report's stylesheet: system fonts only, light and dark palettes, one column on phones. */
export const CSS = `
:root{color-scheme:light dark;
--bg:#f5f6f8;--card:#fff;--fg:#1b1d21;--muted:#5f6670;--line:#e2e5e9;--grid:#eceef1;--axis:#aeb4bd;--chip:#eef0f3;
--usage:#2563eb;--usage-fill:rgba(37,99,235,.11);--limit:#d92d20;--pace:#8a9099;--proj:#2563eb;--now:#9aa0a8;
--warn:#c77700;--delay:#7c3aed;--deny:#d92d20;--pause:#0e7490;--resume:#15803d;--notify:#0369a1;--rate:#b45309;
--ok:#3b82f6;--high:#f59e0b;--over:#e5484d;--cost:#0f9f6e;
--band-pause:rgba(14,116,144,.10);--band-backoff:rgba(124,58,237,.09);
--m0:#2563eb;--m1:#0f9f6e;--m2:#d97706;--m3:#9333ea;--m4:#db2777;--m5:#64748b}
@media (prefers-color-scheme:dark){:root{
--bg:#0e1014;--card:#171a20;--fg:#e7e9ec;--muted:#9aa2ad;--line:#2a2f38;--grid:#232730;--axis:#4b525d;--chip:#222730;
--usage:#60a5fa;--usage-fill:rgba(96,165,250,.15);--limit:#f87171;--pace:#8d949e;--proj:#93c5fd;--now:#6b727c;
--warn:#fbbf24;--delay:#b197fc;--deny:#f87171;--pause:#22d3ee;--resume:#4ade80;--notify:#7dd3fc;--rate:#fb923c;
--ok:#5b9cf6;--high:#f5b942;--over:#f2666a;--cost:#34d399;
--band-pause:rgba(34,211,238,.10);--band-backoff:rgba(177,151,252,.10);
--m0:#60a5fa;--m1:#34d399;--m2:#fbbf24;--m3:#c084fc;--m4:#f472b6;--m5:#94a3b8}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 2px;letter-spacing:-.01em}
h2{font-size:17px;margin:0}
.sub,.note{color:var(--muted);font-size:13.5px;margin:4px 0 0}
header{margin-bottom:18px}
.num{font-variant-numeric:tabular-nums}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:18px 20px;margin:0 0 18px;min-width:0}
.card-head{display:flex;flex-wrap:wrap;align-items:baseline;justify-content:space-between;gap:4px 16px;margin-bottom:12px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:18px;margin-bottom:18px}
.grid2>.card{margin:0}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(165px,1fr));gap:12px;margin-bottom:18px}
.tile{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:12px 14px;min-width:0}
.tile .k{color:var(--muted);font-size:12.5px;text-transform:uppercase;letter-spacing:.04em}
.tile .v{font-size:24px;font-weight:650;margin-top:2px;font-variant-numeric:tabular-nums;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.tile .d{color:var(--muted);font-size:13px;overflow-wrap:anywhere}
.st-normal{color:var(--resume)}.st-warned{color:var(--warn)}.st-pacing,.st-degraded{color:var(--delay)}.st-backoff{color:var(--rate)}.st-paused{color:var(--deny)}
.meter{height:6px;border-radius:3px;background:var(--chip);margin-top:8px;overflow:hidden}
.meter>span{display:block;height:100%;background:var(--ok)}
.meter.high>span{background:var(--high)}.meter.over>span{background:var(--over)}
.chart{margin:0}
.chart svg{display:block;width:100%;height:auto;margin:0 auto;overflow:visible}
.chart svg.narrow{display:none}
svg text{font-family:inherit;font-size:var(--fs,12px)}
svg .tick{fill:var(--muted)}
svg .label{fill:var(--fg);font-weight:600}
svg .value{fill:var(--muted);font-weight:600}
svg .grid{stroke:var(--grid);stroke-width:1}
svg .axis{stroke:var(--axis);stroke-width:1}
svg .tickmark{stroke:var(--axis)}
svg .daysep{stroke:var(--grid);stroke-dasharray:2 3}
svg .limit{stroke:var(--limit);stroke-width:1.6}
svg .limit-label{fill:var(--limit)}
svg .pace{stroke:var(--pace);stroke-width:1.4;stroke-dasharray:5 5}
svg .usage{fill:none;stroke:var(--usage);stroke-width:2.4;stroke-linejoin:round}
svg .usage-area{fill:var(--usage-fill);stroke:none}
svg .projection{stroke:var(--proj);stroke-width:2;stroke-dasharray:7 6;opacity:.85}
svg .projection-end{fill:var(--card);stroke:var(--proj);stroke-width:2}
svg .projection-label{fill:var(--proj)}
svg .now{stroke:var(--now);stroke-width:1;stroke-dasharray:2 3}
svg .now-label{fill:var(--muted);font-weight:500}
svg .band-pause{fill:var(--band-pause)}
svg .band-backoff{fill:var(--band-backoff)}
svg .marker>*{stroke:var(--card);stroke-width:1.5}
svg .m-warn,.sw-warn{fill:var(--warn)}svg .m-delay,.sw-delay{fill:var(--delay)}svg .m-deny,.sw-deny{fill:var(--deny)}svg .m-pause,.sw-pause{fill:var(--pause)}
svg .bar.ok{fill:var(--ok)}svg .bar.high{fill:var(--high)}svg .bar.over{fill:var(--over)}
svg .bar.active{stroke:var(--fg);stroke-width:1.2;stroke-dasharray:3 2}
svg .bar.cost{fill:var(--cost)}
svg .bar:hover{opacity:.8}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;list-style:none;margin:10px 0 0;padding:0;color:var(--muted);font-size:13px}
.legend li{display:flex;align-items:center;gap:6px;white-space:nowrap}
.legend svg{width:24px;height:14px;flex:none}
.hbars{display:flex;flex-direction:column;gap:10px}
.hbar .top{display:flex;justify-content:space-between;gap:12px;font-size:14px}
.hbar .name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap;min-width:0}
.hbar .val{font-variant-numeric:tabular-nums;white-space:nowrap;font-weight:600}
.hbar .val small{color:var(--muted);font-weight:400}
.track{height:10px;background:var(--chip);border-radius:5px;margin-top:4px;overflow:hidden}
.track>span{display:block;height:100%;background:var(--cost);border-radius:5px;min-width:2px}
.stack{display:flex;height:14px;border-radius:7px;overflow:hidden;background:var(--chip);margin:4px 0 12px}
.stack>span{display:block;height:100%;min-width:2px}
.swatch{display:inline-block;width:10px;height:10px;border-radius:3px;margin-right:6px;vertical-align:baseline}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:0 -4px;padding:0 4px}
table{border-collapse:collapse;width:100%;font-size:13.5px}
th,td{text-align:left;padding:7px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:600;font-size:12.5px;white-space:nowrap}
td.r,th.r{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.nw{white-space:nowrap}
td.detail{min-width:280px;max-width:560px;overflow-wrap:anywhere}
table.wide{min-width:760px}
table.mid{min-width:560px}
tbody tr:hover{background:var(--chip)}
tr[hidden]{display:none}
tr.day th{color:var(--fg);font-size:13px;background:var(--chip);padding:5px 10px}
td.time{white-space:nowrap;font-variant-numeric:tabular-nums;font-weight:600}
tr.pick{cursor:pointer}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600;white-space:nowrap;background:var(--chip);color:var(--fg)}
.badge::before{content:"";display:inline-block;width:7px;height:7px;border-radius:50%;margin-right:5px;background:var(--c,var(--muted));vertical-align:1px}
.k-warn{--c:var(--warn)}.k-delay{--c:var(--delay)}.k-deny{--c:var(--deny)}.k-pause{--c:var(--pause)}.k-resume{--c:var(--resume)}
.k-notify{--c:var(--notify)}.k-rate_limit,.k-backoff{--c:var(--rate)}.k-api_error,.k-error{--c:var(--over)}.k-limit_message{--c:var(--limit)}.k-alert{--c:var(--high)}
.decs{display:flex;flex-wrap:nowrap;gap:4px}
.controls{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;margin-bottom:10px;font-size:13.5px;color:var(--muted)}
select{font:inherit;color:var(--fg);background:var(--card);border:1px solid var(--line);border-radius:8px;padding:5px 8px;max-width:100%}
.empty{color:var(--muted);font-style:italic;padding:8px 0}
footer{color:var(--muted);font-size:12.5px;margin:6px 0 24px;overflow-wrap:anywhere}
@media (max-width:1000px){.grid2{grid-template-columns:1fr}}
@media (max-width:640px){
main{padding:12px}
h1{font-size:21px}
.card{padding:14px 14px;border-radius:10px;margin-bottom:14px}
.tiles{grid-template-columns:1fr 1fr;gap:8px;margin-bottom:14px}
.tile{padding:10px 12px}
.tile .v{font-size:20px}
.tiles .tile:last-child:nth-child(odd){grid-column:1/-1}
.chart svg.wide{display:none}
.chart svg.narrow{display:block}
.grid2{gap:14px;margin-bottom:14px}
}
`;
