"""Line features: what a line looks like, independent of where it stands.

The signals are structural and lexical-generic (contact patterns, navigation words,
sentence punctuation, length), never keyed on a site or a document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CONTENT = "content"      # a paragraph of running text
HEADING = "heading"      # short line without sentence punctuation: title, subheading, headline
TEASER = "teaser"        # running text cut off with … (a "related article" excerpt)
CHROME = "chrome"        # navigation, bylines, share/copyright lines, meta lines
CONTACT = "contact"      # phone numbers, WeChat, QR codes: ads and contact blocks
CAPTION = "caption"      # photo credit
MARKER = "marker"        # a sidebar header: 相关文章, 热门推荐 …
SPAMLINE = "spamline"    # novel / ad / feed spam
BLANK = "blank"

_SENT_END = re.compile(r"[。!?;!?;…]|\.{3}")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MARKER = re.compile(
    r"^(相关|推荐|热门|热点|精彩|更多|最新|延伸|往期|猜你|为你|大家都在|今日|阅读|点击|同类|友情|相关链接)"
    r"(文章|阅读|新闻|推荐|资讯|内容|链接|标签|回顾|排行|喜欢|推荐阅读|都在看|看)*$"
)
_PHONE = re.compile(r"(?<!\d)(?:400(?:[- ]?\d){7}|0\d{2,3}[- ]?\d{7,8}|1[3-9]\d{9})(?!\d)")
_CONTACT = re.compile(r"微信号|微信[/:]|加.{0,6}微信|公众号|扫一扫|扫描二维码|二维码|长按|联系电话|联系方式|客服电话"
                      r"|邮箱[::]|e-?mail[::]|QQ[::]?\s*\d|手机[::/]|手机号|联系人")
# Chrome words that never occur in running text, and ones that only mark a short line.
_CHROME_STRONG = re.compile(
    r"版权所有|版权声明|copyright|©|本文链接|原文链接|当前位置|您的位置|首页\s*[>»›]|[>»›]\s*正文|上一篇|下一篇"
    r"|点击次数|浏览次数|阅读次数|ICP备|免责声明|返回顶部|打印本页|关闭窗口|【\s*[大中小]\s*】|分享给朋友|分享到[::]?"
    # Legal footers: a site disclaiming its reposts, forbidding reuse.
    r"|不代表\S{0,12}(?:观点|立场)|未经\S{0,6}(?:授权|许可)\S{0,4}(?:不得|禁止)|违者\S{0,6}追究",
    re.I,
)
_CHROME_WEAK = re.compile(
    r"责任编辑|责编|编辑[::]|来源[::]|作者[::]|撰文[::]|统筹[::]|审核[::]|校对[::]|发布时间|发布日期|举报"
    r"|写留言|点赞|收藏|转载|阅读量|字号|分享"
)
_URL = re.compile(r"https?://|www\.[a-z0-9-]+\.", re.I)
_DATE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")
_CAPTION = re.compile(r"(记者|摄影|通讯员|图\s*[/:])[^。]{0,20}(摄|供图)\s*$|\s(摄|供图)\s*$|^图片来源[::]")
_SPAM = re.compile(
    r"全文txt|txt下载|全文阅读|免费阅读|最新章节|章节目录|小说|包邮|直邮|低至|折扣|优惠券|领券|代购|招代理|加盟费"
    r"|防屏蔽|开奖|彩票|娱乐城|\[[\u4e00-\u9fff\w]{1,4}\].*\[[\u4e00-\u9fff\w]{1,4}\]|超话",
    re.I,
)
# A garbled token, as PDF text extraction leaves (*6')0d;,): Latin letters among symbols that
# no number, date, URL or e-mail address mixes (those use . % + - / : _ @ only).
_TOKEN = re.compile(r"[!-~]{4,}")
_ODD_SYMBOL = re.compile(r"[!-$&-*,;<=>?\[-^`{-~]")
_CLAUSE = re.compile(r"[,，、]")
PROSE_MIN_CJK = 30  # a headline with a comma runs shorter; a cut-off paragraph longer (odd gold half)
_BULLET = re.compile(r"^\s*(?:[•·●◆■▪◇○□►▶➤✓✔-]|\d{1,2}[.、)])\s*")


@dataclass
class Line:
    start: int
    end: int          # end of the visible text (the newline is not part of the line)
    text: str
    kind: str
    score: float
    key: str = ""     # text with punctuation/space removed, for repeat detection


def split_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    pos = 0
    for raw in text.split("\n"):
        lines.append(classify(pos, raw))
        pos += len(raw) + 1
    return lines


_NON_WORD = re.compile(r"[\W_]+")


def _key(text: str) -> str:
    return _NON_WORD.sub("", text)


def classify(start: int, text: str) -> Line:
    stripped = text.strip()
    end = start + len(text)
    if not stripped:
        return Line(start, end, text, BLANK, 0.0)
    key = _key(stripped)
    n = len(stripped)
    cjk = len(_CJK.findall(stripped))
    sentences = len(_SENT_END.findall(stripped))
    core = _BULLET.sub("", stripped).strip(" :：✋👉🔥★☆·•")
    core = re.sub(r"[^\w]", "", core)
    if n <= 14 and _MARKER.match(core):
        return Line(start, end, text, MARKER, -1e9, key)
    # Running text: ends like a sentence and is long enough to be one.
    content_like = bool(sentences) and stripped[-1] in "。!?;”\"」)" and (cjk >= 20 or n >= 40)
    if _SPAM.search(stripped) and not content_like:
        return Line(start, end, text, SPAMLINE, -20.0, key)
    if _PHONE.search(stripped) or (n < 120 and not content_like and _CONTACT.search(stripped)):
        return Line(start, end, text, CONTACT, -80.0, key)
    if n < 40 and not content_like and any(
            re.search(r"[A-Za-z]", t) and len(_ODD_SYMBOL.findall(t)) >= 3 for t in _TOKEN.findall(stripped)):
        return Line(start, end, text, CHROME, -30.0, key)
    if n < 150 and _CHROME_STRONG.search(stripped):
        return Line(start, end, text, CHROME, -60.0, key)
    if n < 60 and not content_like and _CHROME_WEAK.search(stripped):
        return Line(start, end, text, CHROME, -40.0, key)
    if _CAPTION.search(stripped) and n < 120:
        return Line(start, end, text, CAPTION, -40.0, key)
    if _URL.search(stripped) and (n < 80 or len(_URL.sub("", stripped)) < n * 0.5):
        return Line(start, end, text, CHROME, -40.0, key)
    if n < 50 and _DATE.search(stripped) and not _SENT_END.search(stripped[-1]):
        return Line(start, end, text, CHROME, -30.0, key)
    # A teaser is cut off mid-sentence with "..." (or one "…"); "……" is ordinary writing.
    if n > 40 and (stripped.endswith("...") or (stripped.endswith("…") and not stripped.endswith("……"))):
        return Line(start, end, text, TEASER, -1.0 * n, key)
    if sentences and (cjk >= 20 or n >= 40):
        return Line(start, end, text, CONTENT, float(n), key)
    if sentences and n >= 12 and stripped[-1] in "。;":
        return Line(start, end, text, CONTENT, float(n) * 0.5, key)
    # Prose cut off mid-sentence (an excerpt's last line, a PDF line break): clauses joined
    # by commas over a length no heading runs to. Weighted half: it may be a stray fragment.
    if cjk >= PROSE_MIN_CJK and len(_CLAUSE.findall(stripped)) >= 1:
        return Line(start, end, text, CONTENT, float(n) * 0.5, key)
    return Line(start, end, text, HEADING, -8.0 - 0.2 * n, key)
