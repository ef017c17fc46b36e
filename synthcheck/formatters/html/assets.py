"""The report's fixed CSS and its one inline script, and the Content-Security-Policy that allows only them.

Why a hash and not ``'unsafe-inline'`` for scripts: every string in the report comes from files
under examination.  They are all escaped, and the policy is the second wall: only the script whose
SHA-256 is named below may run, so even a string that slipped through could not execute.  Images
may only be data URIs and nothing may be fetched at all (``default-src 'none'``): the page opens
from a USB stick on an offline laptop and never reaches out.  The page reads without the script;
the script only adds sorting and the verdict filter.
"""

from __future__ import annotations

import base64
import hashlib

CSS = """
:root{--fg:#1b1b1f;--muted:#5d5f66;--line:#d9dbe0;--bg:#fff;--soft:#f5f6f8;
--ai:#8b0000;--likely:#c62828;--possibly:#b26a00;--inconclusive:#7b1fa2;--none:#2e7d32;--error:#424242}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);
margin:0 auto;max-width:1100px;padding:12px}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.15em;margin:0;overflow-wrap:anywhere}h3{font-size:1em;margin:1em 0 .3em}
a{color:#0b57d0}code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.88em}
.muted{color:var(--muted)}.small{font-size:.85em}
.note{background:var(--soft);border-left:3px solid var(--line);padding:6px 10px}
.badge{display:inline-block;padding:1px 8px;border-radius:4px;color:#fff;font-weight:600;font-size:.85em;
white-space:nowrap}
.b-ai-generated{background:var(--ai)}.b-likely-synthetic{background:var(--likely)}
.b-possibly-synthetic{background:var(--possibly)}.b-inconclusive{background:var(--inconclusive)}
.b-no-evidence{background:var(--none)}.b-error{background:var(--error)}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid var(--line);padding:4px 6px;
text-align:left;vertical-align:top}th{background:var(--soft)}
.wrap{overflow-x:auto}
table.files td:nth-child(2){overflow-wrap:anywhere}th{white-space:nowrap}
html.js table.files th{cursor:pointer}html.js table.files th:after{content:" \\2195";color:var(--muted)}
.filters{display:none}html.js .filters{display:block}
.filters label{margin-right:12px;white-space:nowrap}
section.file{border:1px solid var(--line);border-radius:8px;padding:12px;margin:16px 0;break-inside:avoid-page}
.top{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start;margin-top:8px}
.stage{position:relative;display:inline-block;line-height:0}
.stage img{display:block;max-width:100%;height:auto;border:1px solid var(--line)}
.stage svg{position:absolute;left:0;top:0;width:100%;height:100%}
.stage rect{fill:none;stroke:#ff1744;stroke-width:2}.stage text{fill:#ff1744;font-weight:700}
.noprev{width:96px;height:72px;display:flex;align-items:center;justify-content:center;background:var(--soft);
color:var(--muted);font-size:.8em;text-align:center;border:1px dashed var(--line)}
.verdict{flex:1 1 320px;min-width:0}
ul.findings{list-style:none;padding:0;margin:0}
ul.findings>li{padding:6px 0 6px 10px;border-left:4px solid var(--line);margin:6px 0}
li.s-decisive{border-color:var(--ai)}li.s-strong{border-color:var(--likely)}
li.s-moderate{border-color:var(--possibly)}li.s-weak{border-color:#c9a227}li.s-info{border-color:var(--line)}
.strength{font-variant:small-caps;font-weight:600}
.box{display:inline-block;background:#ff1744;color:#fff;border-radius:3px;padding:0 5px;font-size:.8em}
.pictures{display:flex;flex-wrap:wrap;gap:10px;margin:6px 0}
.pictures figure{margin:0}.pictures figcaption{font-size:.8em;color:var(--muted)}
.pictures img{max-width:100%;height:auto;border:1px solid var(--line)}
svg.timeline{width:100%;max-width:640px;height:auto;display:block;background:var(--soft)}
details>summary{cursor:pointer;color:var(--muted)}
table.kv th{width:11em;font-weight:600;background:none}
table.ev{display:block;overflow-x:auto}table.ev th,table.ev td{font-family:ui-monospace,Menlo,Consolas,monospace;
font-size:.85em;background:none;word-break:break-word}table.ev th{font-weight:600;width:11em}
td.val{word-break:break-word}
.errors li{color:#b00020}
footer{margin-top:24px}
@media (max-width:600px){body{padding:6px;font-size:14px}.verdict{flex-basis:100%}}
@media print{.filters,html.js .filters{display:none}a{color:inherit;text-decoration:none}
section.file{border:none;border-top:2px solid #000;border-radius:0;padding:8px 0}
body{max-width:none}}
""".strip()

# Sorting and the verdict filter.  Everything it reads comes from data-* attributes the report wrote.
SCRIPT = """
(function(){
var doc=document.documentElement;doc.className+=' js';
function apply(){
 var on={};var boxes=document.querySelectorAll('input.vf');
 for(var i=0;i<boxes.length;i++){if(boxes[i].checked){on[boxes[i].value]=1;}}
 var items=document.querySelectorAll('[data-verdict]');
 for(var j=0;j<items.length;j++){items[j].hidden=!on[items[j].getAttribute('data-verdict')];}
}
var boxes=document.querySelectorAll('input.vf');
for(var i=0;i<boxes.length;i++){boxes[i].addEventListener('change',apply);}
window.addEventListener('beforeprint',function(){var d=document.querySelectorAll('details');
 for(var i=0;i<d.length;i++){d[i].open=true;}});
var table=document.querySelector('table.files');
if(!table){return;}
function key(td){var v=td.getAttribute('data-v');return v===null?td.textContent:v;}
var heads=table.querySelectorAll('th');
for(var h=0;h<heads.length;h++){(function(col,th){th.addEventListener('click',function(){
 var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
 var num=th.getAttribute('data-type')==='num';var dir=th.getAttribute('data-dir')==='asc'?-1:1;
 th.setAttribute('data-dir',dir===1?'asc':'desc');
 rows.sort(function(a,b){var x=key(a.cells[col]),y=key(b.cells[col]);
  if(num){x=parseFloat(x);y=parseFloat(y);if(isNaN(x)){x=-1;}if(isNaN(y)){y=-1;}return (x-y)*dir;}
  return x<y?-dir:(x>y?dir:0);});
 var frag=document.createDocumentFragment();for(var k=0;k<rows.length;k++){frag.appendChild(rows[k]);}
 body.appendChild(frag);});})(h,heads[h]);}
})();
""".strip()


def script_hash(script: str = SCRIPT) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


CSP = (f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src '{script_hash()}'; "
       "base-uri 'none'; form-action 'none'")
