  var now = Date.now() / 1000, up = document.getElementById('upcoming-list'), past = document.getElementById('past-list');
  // Soonest first: each one that has ended goes on top of the past list (most recent first).
  Array.prototype.slice.call(up.children).forEach(function(li){
    if (Number(li.dataset.end) < now) past.insertBefore(li, past.firstChild);
  });
  var zone = '';
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) {}
  document.querySelectorAll('time[data-zone]').forEach(function(t){
    if (!zone || t.dataset.allDay || t.dataset.zone === zone) return;
    var o = {weekday:'short', year:'numeric', month:'short', day:'numeric', hour:'2-digit', minute:'2-digit', hourCycle:'h23'};
    var start = new Date(t.getAttribute('datetime')), end = new Date(t.dataset.end), mine, theirs;
    try {
      mine = new Intl.DateTimeFormat(lang, Object.assign({timeZone: zone}, o));
      theirs = new Intl.DateTimeFormat(lang, Object.assign({timeZone: t.dataset.zone}, o));
    } catch (e) { return; }
    if (mine.format(start) === theirs.format(start)) return;
    var day = new Intl.DateTimeFormat('en-CA', {timeZone: zone, year:'numeric', month:'2-digit', day:'2-digit'});
    var sameDay = day.format(start) === day.format(end);  // else the end says which day
    var endText = sameDay ? new Intl.DateTimeFormat(lang, {timeZone: zone, hour:'2-digit', minute:'2-digit', hourCycle:'h23'}).format(end)
                          : mine.format(end);
    var p = document.createElement('p');
    p.className = 'local';
    p.textContent = yours + ': ' + mine.format(start) + (sameDay ? '–' : ' – ') + endText + ' (' + zone + ')';
    t.parentNode.parentNode.insertBefore(p, t.parentNode.nextSibling);
  });
  var status = document.getElementById('copy-status');
  document.querySelectorAll('button[data-copy]').forEach(function(b){
    b.addEventListener('click', function(){
      var input = document.getElementById(b.dataset.copy);
      input.select();
      var done = function(){
        b.textContent = copied.replace(/[:：]\s*$/, '');
        status.textContent = copied + ' ' + input.value;
        setTimeout(function(){ b.textContent = copy; }, 1500);
      };
      if (navigator.clipboard) navigator.clipboard.writeText(input.value).then(done, function(){ document.execCommand('copy'); done(); });
      else { document.execCommand('copy'); done(); }
    });
  });
