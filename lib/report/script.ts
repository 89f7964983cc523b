/**
 * The report's only script, inline and vanilla: filters the event timeline by session and kind, and
 * lets a click on a session row filter the timeline to it. The page reads fine without it.
 */
export const SCRIPT = `(function(){
var s=document.getElementById('f-session'),k=document.getElementById('f-kind'),c=document.getElementById('f-count');
if(!s||!k||!c)return;
var rows=Array.prototype.slice.call(document.querySelectorAll('#timeline tbody tr[data-kind]'));
var days=Array.prototype.slice.call(document.querySelectorAll('#timeline tbody tr.day'));
function apply(){var v=0,seen={};rows.forEach(function(r){var ok=(!s.value||r.getAttribute('data-session')===s.value)&&(!k.value||r.getAttribute('data-kind')===k.value);r.hidden=!ok;if(ok){v++;seen[r.getAttribute('data-day')]=1;}});
days.forEach(function(d){d.hidden=!seen[d.getAttribute('data-day')];});
c.textContent=v===rows.length?rows.length+' events':v+' of '+rows.length+' events';}
s.addEventListener('change',apply);k.addEventListener('change',apply);
Array.prototype.forEach.call(document.querySelectorAll('#sessions tr.pick'),function(tr){tr.addEventListener('click',function(){
s.value=tr.getAttribute('data-session');k.value='';apply();var t=document.getElementById('timeline-card');if(t)t.scrollIntoView();});});
apply();})();`;
