"""The XSS corpus: each payload runs `{P}`, which pushes its number onto window.__pwned.

Script tags, event handlers, javascript: links, SVG and MathML, Markdown link and image tricks,
HTML entities and encodings, and markup split across stream deltas.
"""

from __future__ import annotations

CANARY = "window.__pwned.push({n})"

TEMPLATES = [
    "<script>{P}</script>",
    "<SCRIPT>{P}</SCRIPT>",
    "<script src=data:text/javascript,{P}></script>",
    "<scr<script>ipt>{P}</script>",
    "<img src=x onerror={P}>",
    '<img src="x" onerror="{P}">',
    "<img src=x oNeRrOr={P}>",
    "<img/src=x/onerror={P}>",
    "<image src=x onerror={P}>",
    "<svg onload={P}>",
    "<svg><script>{P}</script></svg>",
    '<svg><a xlink:href="javascript:{P}"><text x="20" y="20">svg link</text></a></svg>',
    "<svg><animate onbegin={P} attributeName=x dur=1s>",
    "<svg><set attributeName=onmouseover to={P}>",
    "<math><mtext><table><mglyph><style><img src=x onerror={P}>",
    "<body onload={P}>",
    '<iframe src="javascript:{P}"></iframe>',
    '<iframe srcdoc="<script>parent.{P}</script>"></iframe>',
    '<object data="javascript:{P}"></object>',
    '<embed src="javascript:{P}">',
    "<video><source onerror={P}></video>",
    "<audio src=x onerror={P}>",
    "<details open ontoggle={P}>",
    "<input autofocus onfocus={P}>",
    "<select autofocus onfocus={P}>",
    "<textarea autofocus onfocus={P}>",
    "<marquee onstart={P}>",
    "<div onmouseover={P} style=position:fixed;inset:0>cover</div>",
    '<a href="javascript:{P}">click</a>',
    '<a href="JaVaScRiPt:{P}">click</a>',
    '<a href="&#106;avascript:{P}">entity link</a>',
    '<a href="jav&#x09;ascript:{P}">tab link</a>',
    '<a href="data:text/html,<script>{P}</script>">data link</a>',
    '<form action="javascript:{P}"><button>go</button></form>',
    '<button formaction="javascript:{P}">go</button>',
    '<meta http-equiv="refresh" content="0;url=javascript:{P}">',
    '<base href="javascript:{P}//">',
    '<link rel=import href="data:text/html,<script>{P}</script>">',
    "[markdown link](javascript:{P})",
    "[cased link](JAVASCRIPT:{P})",
    "[entity link](javascript&#58;{P})",
    "[spaced link]( javascript:{P} )",
    '![image](x"onerror="{P})',
    "![image](javascript:{P})",
    "[ref link][r]\n\n[r]: javascript:{P}",
    '<https://example.com/"onmouseover="{P}>',
    "`<img src=x onerror={P}>` and ```\n<script>{P}</script>\n```",
    "&lt;img src=x onerror={P}&gt;",
    "&#60;script&#62;{P}&#60;/script&#62;",
    '"><img src=x onerror={P}>',
    "'><svg onload={P}>",
    "</textarea><script>{P}</script>",
    "</title><script>{P}</script>",
    '<noscript><p title="</noscript><img src=x onerror={P}>">',
    "<style>@import 'javascript:{P}';</style>",
    "<template><img src=x onerror={P}></template>",
    "{{constructor.constructor('{P}')()}}",
]


def payloads(offset: int) -> list[tuple[int, str]]:
    """(number, payload) for each template; the numbers start at offset (one range per place)."""
    return [
        (offset + n, template.replace("{P}", CANARY.format(n=offset + n)))
        for n, template in enumerate(TEMPLATES)
    ]
