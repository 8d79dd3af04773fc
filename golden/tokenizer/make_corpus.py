#!/usr/bin/env python3
"""Writes corpus.jsonl, the text the tokenizer golden test encodes: one JSON string per line.

Hand-written prose (corpus_prose.txt) in English, French, German, Spanish and Italian, plus code, numbers and
dates, other scripts, emoji, whitespace runs, long words and characters the vocabulary lacks. Deterministic:
running it again writes the same file.
"""
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent


def prose():
    by_lang = {}
    lang = None
    for line in (HERE / "corpus_prose.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            lang = line[2:]
            by_lang[lang] = []
        elif line:
            by_lang[lang].append(line)
    return by_lang


CODE = [
    "def forward(self, x):\n    h = x + self.attention(self.attention_norm(x))\n    return h + self.feed_forward(self.ffn_norm(h))\n",
    "public static int[] encode(String text) {\n\treturn tokenizer.encode(text, false);\n}",
    "for (int i = 0; i < n; i++) {\n    sum += a[i] * b[i];\n}",
    "#include <stdio.h>\n\nint main(void) {\n    printf(\"Hello, world!\\n\");\n    return 0;\n}\n",
    "fn main() {\n    let v: Vec<u32> = (1..=10).map(|x| x * x).collect();\n    println!(\"{:?}\", v);\n}",
    "const sum = (xs) => xs.reduce((a, b) => a + b, 0);\nconsole.log(sum([1, 2, 3]));",
    "SELECT name, COUNT(*) AS n FROM users WHERE created_at >= '2024-01-01' GROUP BY name ORDER BY n DESC;",
    "if [ -f \"$HOME/.bashrc\" ]; then\n  source \"$HOME/.bashrc\"\nfi",
    "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hallo, Welt\")\n}",
    "<html>\n  <body>\n    <p class=\"note\">Bonjour &amp; bienvenue</p>\n  </body>\n</html>",
    "{\"model\": \"mixtral\", \"experts\": 8, \"top_k\": 2, \"rope_theta\": 1e6, \"tags\": [\"moe\", \"sparse\"]}",
    "x = torch.randn(4, 4096)  # (T, D)\nlogits = x @ w_gate.T     # (T, E)\nweights, experts = torch.topk(logits, k=2)",
    "class Stack<T> {\n  private final Deque<T> items = new ArrayDeque<>();\n  void push(T t) { items.push(t); }\n}",
    "    return {k: v for k, v in sorted(d.items(), key=lambda kv: -kv[1])}",
    "# TODO: handle the empty case\nassert len(ids) == len(pieces), f\"{len(ids)} != {len(pieces)}\"",
    "mvn -q -B -pl reference test -Dtest='Tokenizer*'",
    "git log --oneline --graph --decorate | head -n 20",
    "a[i][j] += b[i][k] * c[k][j];  // O(n^3)",
    "\\begin{equation}\n  \\mathrm{softmax}(x)_i = \\frac{e^{x_i}}{\\sum_j e^{x_j}}\n\\end{equation}",
    "(define (fact n) (if (<= n 1) 1 (* n (fact (- n 1)))))",
    "let rec fib n = if n < 2 then n else fib (n - 1) + fib (n - 2)",
    "<?php echo htmlspecialchars($_GET['q'] ?? '', ENT_QUOTES, 'UTF-8'); ?>",
    "import numpy as np\n\ndef rms_norm(x, w, eps=1e-5):\n    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * w",
    "val xs = listOf(1, 2, 3).filter { it % 2 == 1 }.map { it * 10 }",
    "struct Point { x: f64, y: f64 }\nimpl Point { fn norm(&self) -> f64 { (self.x * self.x + self.y * self.y).sqrt() } }",
    "while read -r line; do\n    echo \"${line^^}\"\ndone < input.txt",
    "try:\n    value = int(raw)\nexcept ValueError as e:\n    raise SystemExit(f\"bad value: {raw!r}\") from e",
    "def greet(name: str) -> str:\n    \"\"\"Grüßt freundlich.\"\"\"\n    return f\"¡Hola, {name}!\"",
    "std::vector<std::pair<int, float>> agenda;\nstd::sort(agenda.begin(), agenda.end());",
    "#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\nprint(\"ça marche\")",
    "=SUM(A1:A10)/COUNT(B2:B10)",
    "0x7fffffff & ~mask | (flags << 3) >> 1",
    "https://example.org/path/to/page?query=t%C3%A9st&lang=fr#section-2",
    "user@example.com, jean.dupont@exemple.fr; m.rossi@esempio.it",
    "C:\\Users\\Public\\Documents\\report_2023-12-31.docx",
    "    \t\tindented with spaces then tabs\n\t    and tabs then spaces",
    "| id | piece | score |\n|----|-------|-------|\n| 1  | <s>   | 0.0   |",
    "diff --git a/x.py b/x.py\n@@ -1,3 +1,3 @@\n-old = 1\n+new = 2",
]

SCRIPTS = [
    "机器学习是人工智能的一个分支，它使计算机能够从数据中学习。",
    "今天天气很好，我们去公园散步吧。",
    "北京是中华人民共和国的首都，也是全国的政治和文化中心。",
    "我喜欢喝茶，尤其是绿茶。",
    "東京は日本の首都であり、世界有数の大都市です。",
    "昨日は雨が降っていたので、一日中家で本を読んでいました。",
    "ひらがなとカタカナと漢字を組み合わせて書きます。",
    "コンピューターのプログラミングは楽しいです。",
    "한국어는 한글이라는 고유한 문자를 사용합니다.",
    "오늘 저녁에 친구들과 같이 밥을 먹을 거예요.",
    "서울은 대한민국의 수도입니다.",
    "Η Αθήνα είναι η πρωτεύουσα της Ελλάδας και μία από τις αρχαιότερες πόλεις του κόσμου.",
    "Καλημέρα! Τι κάνεις σήμερα;",
    "Ο Σωκράτης δεν έγραψε ποτέ τίποτα· γνωρίζουμε τις ιδέες του από τον Πλάτωνα.",
    "αβγδεζηθικλμνξοπρστυφχψω ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ",
    "Москва — столица России и крупнейший город страны.",
    "Я люблю читать книги по вечерам, особенно зимой.",
    "Съешь же ещё этих мягких французских булок, да выпей чаю.",
    "Київ — столиця України, місто на берегах Дніпра.",
    "Здравствуйте! Как у вас дела?",
    "Българският език използва кирилица.",
    "שלום עולם! מה שלומך היום?",
    "ירושלים היא עיר עתיקה עם היסטוריה ארוכה.",
    "אני לומד עברית כבר שלוש שנים.",
    "مرحبا بالعالم! كيف حالك اليوم؟",
    "اللغة العربية من أكثر اللغات انتشارا في العالم.",
    "القاهرة هي عاصمة مصر وأكبر مدنها.",
    "नमस्ते, आप कैसे हैं?",
    "हिन्दी भारत की आधिकारिक भाषाओं में से एक है।",
    "สวัสดีครับ ยินดีที่ได้รู้จัก",
    "Բարև ձեզ, ինչպե՞ս եք։",
    "გამარჯობა, როგორ ხარ?",
    "Xin chào, hôm nay trời đẹp quá!",
    "Türkçe öğrenmek sandığımdan daha kolaymış.",
    "Zażółć gęślą jaźń — polski pangram.",
    "Příliš žluťoučký kůň úpěl ďábelské ódy.",
    "Árvíztűrő tükörfúrógép",
    "Þetta er íslenska með þ, ð og æ.",
    "English and 中文 mixed with русский and עברית in one line.",
    "Ελληνικά, Deutsch, español: tout dans une seule phrase.",
]

EMOJI = [
    "I love this! 😍😍😍",
    "🚀 Launch in 3… 2… 1…",
    "Family: 👨‍👩‍👧‍👦, flags: 🇫🇷 🇩🇪 🇪🇸 🇮🇹 🇬🇧",
    "Thumbs up 👍🏽 and waving 👋🏿",
    "C'est trop bien 🥐☕️",
    "Ich bin so müde 😴💤",
    "¡Feliz cumpleaños! 🎂🎉🎁",
    "Buon appetito 🍝🍕🍷",
    "Weather: ☀️ 🌤️ ⛅ 🌧️ ⛈️ ❄️",
    "❤️🧡💛💚💙💜🖤🤍🤎",
    "The 🐍 ate the 🐁.",
    "Keycaps: 1️⃣ 2️⃣ 3️⃣ #️⃣ *️⃣",
    "🤖 + 🧠 = ?",
    "🏳️‍🌈🏴‍☠️",
    "😀",
    "🧪🧬🔬🔭",
    "Mathematical letters: 𝐀𝐁𝐂 𝑥𝑦𝑧 𝔸𝔹ℂ 𝒜ℬ𝒞",
    "Musical symbols: 𝄞 𝄢 𝅘𝅥𝅮",
    "Gothic: 𐌰𐌱𐌲𐌳",
    "Cuneiform: 𒀀𒀁𒀂",
    "Egyptian: 𓀀𓀁𓂀",
    "Rare CJK: 𠀀𠀁𠀂𪚥",
    "Playing cards: 🂡🂱🃁🃑",
    "Domino: 🀰🀱",
    "emoji at the end 🙂",
]

UNKNOWN = [
    "Private use: \ue000\ue001\uf8ff",
    "Control characters: \x01\x02\x03\x1b[31mred\x1b[0m",
    "NUL in the middle: a\x00b",
    "Bell\x07 and backspace\x08 and form feed\x0c.",
    "Zero width: a\u200bb\u200cc\u200dd\ufeffe",
    "Soft hyphen: co\u00adoperation",
    "Non-breaking space: 100\u00a0km and narrow\u202fspace",
    "Em space:\u2003ideographic space:\u3000end",
    "Combining: e\u0301 a\u0300 n\u0303 o\u0308 (decomposed)",
    "Precomposed: é à ñ ö",
    "Replacement character: \ufffd\ufffd",
    "Rare symbols: ⸘ ⁂ ⌬ ⏣ ⟁ ⧫",
    "Braille: ⠓⠑⠇⠇⠕",
    "Runes: ᚠᚢᚦᚨᚱᚲ",
    "Ogham: ᚁᚂᚃᚄ",
    "Cherokee: ᏣᎳᎩ",
    "Tifinagh: ⵜⴰⵎⴰⵣⵉⵖⵜ",
    "Ethiopic: ሰላም",
    "Tibetan: བོད་ཡིག",
    "Mongolian: ᠮᠣᠩᠭᠣᠯ",
    "Line separator\u2028and paragraph separator\u2029here",
    "The lower one eighth block ▁ is what spaces become: ▁▁x",
    "Literal specials: <s> </s> <unk> <0x41>",
    "\x7f DEL and \x85 NEL",
]

WHITESPACE = [
    "",
    " ",
    "  ",
    "   ",
    "\t",
    "\n",
    "\n\n\n",
    "\r\n",
    " \t \n ",
    "a b",
    "a  b",
    "a   b",
    "a    b",
    "a     b",
    "a" + " " * 16 + "b",
    "a" + " " * 17 + "b",
    "a" + " " * 40 + "b",
    " leading space",
    "   three leading spaces",
    "trailing space ",
    "trailing spaces   ",
    "\ttab first",
    "tab\tin\tthe\tmiddle",
    "\t\t\tthree tabs",
    "line one\nline two\n\nline four",
    "windows\r\nline endings\r\n",
    "mixed \t \n \r whitespace",
    " " * 100,
    "\n" * 20,
    "word " * 30,
]

LONG_WORDS = [
    "Pneumonoultramicroscopicsilicovolcanoconiosis",
    "Supercalifragilisticexpialidocious",
    "Anticonstitutionnellement",
    "Hottentottenstrottentrottelmutterbeutelrattenlattengitterkofferattentäter",
    "Esternocleidomastoideo",
    "Precipitevolissimevolmente",
    "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch",
    "a" * 300,
    "ab" * 200,
    "x" * 1000,
    "é" * 50,
    "日本" * 100,
    "😀" * 60,
    "Taumatawhakatangihangakoauauotamateaturipukakapikimaungahoronukupokaiwhenuakitanatahu",
    "https://example.com/" + "very-long-path-segment/" * 10,
    "-" * 80,
    "=" * 40 + "\n" + "*" * 40,
    "0123456789" * 20,
]


def numbers(rng):
    out = []
    for _ in range(30):
        out.append(str(rng.randint(0, 10 ** rng.randint(1, 12))))
    for _ in range(10):
        out.append(f"{rng.uniform(-1000, 1000):.{rng.randint(1, 6)}f}")
    months_fr = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
    months_de = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"]
    for _ in range(10):
        y, m, d = rng.randint(1800, 2099), rng.randint(1, 12), rng.randint(1, 28)
        out.append(f"{y:04d}-{m:02d}-{d:02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z")
        out.append(f"le {d} {months_fr[m - 1]} {y}")
        out.append(f"am {d}. {months_de[m - 1]} {y}")
        out.append(f"{d:02d}/{m:02d}/{y}")
    out += [
        "3.14159265358979323846264338327950288419716939937510",
        "1,234,567.89 vs 1.234.567,89 vs 1 234 567,89",
        "+33 1 23 45 67 89", "(555) 123-4567", "+49 (0)30 1234567",
        "€12,50 · $9.99 · £7 · ¥1000 · ₹250 · 5 CHF",
        "−40 °C = −40 °F", "50% off, 0.5‰, ½ ¼ ¾",
        "1e-5, 6.02214076e23, 0xDEADBEEF, 0b1010, 1_000_000",
        "v1.2.3-rc.4+build.567", "192.168.0.1:8080", "IPv6 ::1 and fe80::1%eth0",
        "ISBN 978-3-16-148410-0", "Ⅰ Ⅱ Ⅲ Ⅳ Ⅻ", "١٢٣٤٥ ٦٧٨٩٠", "一二三四五六七八九十", "१२३४५",
        "The year 2024 had 366 days; 2023 had 365.", "Il est 14h30, rendez-vous à 15h.",
        "Die Temperatur lag bei 23,5 °C.", "Son las 9:45 de la mañana.", "Sono nato il 3 marzo 1987.",
    ]
    return out


def main():
    rng = random.Random(20240101)
    by_lang = prose()
    lines = []
    for lang, sentences in by_lang.items():
        lines += sentences
        # Paragraphs: several sentences in one line, joined by spaces, newlines or blank lines.
        for i in range(0, len(sentences) - 3, 3):
            sep = ["\n", " ", "\n\n", "  "][(i // 3) % 4]
            lines.append(sep.join(sentences[i:i + 3]))
        # Case variants of a few sentences.
        for s in sentences[:4]:
            lines.append(s.upper())
            lines.append(s.lower())
    lines += CODE + SCRIPTS + EMOJI + UNKNOWN + WHITESPACE + LONG_WORDS + numbers(rng)
    # A few lines mixing everything.
    pool = [s for ss in by_lang.values() for s in ss] + SCRIPTS + EMOJI
    for _ in range(20):
        lines.append(" ".join(rng.sample(pool, 3)))
    with open(HERE / "corpus.jsonl", "w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"wrote {len(lines)} lines to corpus.jsonl")


if __name__ == "__main__":
    main()
