"""Write the labelled corpus: letters in many shapes, each beside the JSON the parser must give.

    python -m tools.make_corpus [DIR]          # default tests/corpus

Every letter is composed from a seeded random choice of the variations SITES.md lists:
both house templates, single and joint forces, date forms (and a date without its day),
request numbering schemes and sub-items, answer labels (Q1, 1., a repeated question with
"Answer:"), per-force sub-answers, tables, every outcome, exemption blocks (harm and
public interest tests, cost limit, NCND, personal data, information accessible elsewhere),
mentions that are not citations, letterheads and footers, and the text quirks of real
PDFs. Some are rendered as platform pages, some scanned (image only), and ten files are
broken on purpose. Beside them, tools.shapes writes one letter in each shape that real
letters take and this generator does not (`shape-*.pdf`, the shape named in its truth).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import sys
from pathlib import Path

from tools.corpus import (
    Block,
    Letter,
    Question,
    block_text,
    render_html,
    render_pdf,
    scan,
)
from tools.shapes import SHAPES
from tools.tinypdf import tiny_pdf

SEED = 20261125
TOPICS = [
    ("drones", "How many drones does {force} own?", "{force} owns {n} drones."),
    ("body worn video", "How many body worn video cameras were issued in {year}?", "{n} body worn video cameras were issued."),
    ("Taser", "How many times was Taser drawn in {year}?", "Taser was drawn {n} times."),
    ("police dogs", "How many police dogs are currently in service?", "There are {n} police dogs in service."),
    ("speed cameras", "How many speeding offences were detected by fixed cameras in {year}?", "{n} offences were detected."),
    ("fleet", "How many marked police vehicles does the force operate?", "The force operates {n} marked vehicles."),
    ("cyber crime", "How many reports of cyber crime were received in {year}?", "{n} reports of cyber crime were received."),
    ("stop and search", "How many stop and searches were carried out in {year}?", "{n} stop and searches were carried out."),
    ("firearms licensing", "How many firearms certificates were refused in {year}?", "{n} certificates were refused."),
    ("overtime", "What was the total overtime bill for officers in {year}?", "The total overtime bill was GBP {n},250."),
    ("missing persons", "How many missing person reports were received in {year}?", "{n} missing person reports were received."),
    ("ANPR", "How many ANPR cameras does the force operate?", "The force operates {n} ANPR cameras."),
    ("hate crime", "How many hate crimes were recorded in {year}?", "{n} hate crimes were recorded."),
    ("e-scooters", "How many e-scooters were seized in {year}?", "{n} e-scooters were seized."),
    ("101 calls", "What was the average time to answer a 101 call in {year}?", "The average time was {n} seconds."),
    ("knife crime", "How many knives were surrendered in amnesty bins in {year}?", "{n} knives were surrendered."),
]
FOLLOW_UPS = [
    ("How much did this cost in {year}?", "The cost was GBP {n},400."),
    ("Please break this figure down by month.", "TABLE"),
    ("How many officers are trained for this?", "{n} officers are trained."),
    ("Which supplier provides the equipment?", "The supplier is {supplier}."),
    ("How many complaints were received about this?", "{n} complaints were received."),
    ("What policy governs this area of work?", "The policy is published on the force website."),
]
SUPPLIERS = ["Axon Public Safety UK Ltd", "Motorola Solutions", "Reveal Media", "DJI Enterprise", "Getac Video Solutions"]
NOT_HELD = ["No information held.", "No relevant information held", "The information requested is not held.",
            "Norfolk Constabulary does not hold this information.", "No information is held by the force."]
HARM = ("Evidence of Harm",
        "Disclosure of information under the Freedom of Information Act 2000 is a release to the world. "
        "Disclosing these details would allow criminals to identify where policing resources are weakest and plan "
        "offending accordingly, which would undermine the prevention and detection of crime.")
PIT = [("Public Interest Test", ""),
       ("Factors favouring disclosure", "Disclosure would promote openness about how public money is spent."),
       ("Factors against disclosure", "Disclosure would compromise law enforcement tactics and put the public at risk."),
       ("Balance Test", "The balance lies in favour of non-disclosure, and this letter serves as a refusal notice "
                        "under section 17(1) of the Act.")]
DUTIES = ("Section 1 of the Freedom of Information Act 2000 places two duties on public authorities. Unless exemptions "
          "apply, the first duty at section 1(1)(a) is to confirm or deny whether the information is held, and the second "
          "duty at section 1(1)(b) is to disclose information that has been confirmed as being held.")
REVIEW = [
    "This response will be published on the Constabularies' web-site under the Freedom of Information pages.",
    "Should you have any further queries concerning this request, please contact the FOI Decision Maker quoting the "
    "reference number shown above.",
    "A full copy of the Freedom of Information Act (2000) can be viewed on the legislation.gov.uk web-site.",
    "Your Right to Request a Review of Decisions Made Under the Terms of the Freedom of Information Act (2000).",
    "If you are unhappy with how your request has been handled, or if you think the decision is incorrect, you have "
    "the right to ask the Constabulary to review its decision within 40 days.",
    "The Information Commissioner.",
    "After lodging a review, if you are still dissatisfied you can apply to the Information Commissioner under "
    "section 50 of the Act: Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF.",
]


def ordinal(day: dt.date, of: bool = False) -> str:
    suffix = "th" if 11 <= day.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day.day % 10, "th")
    return f"{day.day}{suffix} {'of ' if of else ''}{day:%B %Y}"


def cardinal(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


class Composer:
    """Builds one letter's blocks and its truth together, so the truth is what was printed."""

    def __init__(self, rng: random.Random, index: int):
        self.rng = rng
        self.index = index

    def compose(self, outcome: str, house: str | None = None, shape: dict | None = None) -> Letter:
        rng = self.rng
        shape = shape or {}
        house = house or rng.choice(["norfolk", "suffolk"])
        joint = shape.get("joint", rng.random() < 0.35)
        forces = ["Norfolk", "Suffolk"] if joint else ["Norfolk" if house == "norfolk" else "Suffolk"]
        who = ("Norfolk and Suffolk Constabularies" if house == "norfolk" else "Suffolk and Norfolk Constabularies") \
            if joint else f"{forces[0]} Constabulary"
        letter_day = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(0, 3600))
        received = letter_day - dt.timedelta(days=rng.randrange(12, 28))
        correct = received + dt.timedelta(days=rng.randrange(3, 10)) if rng.random() < 0.75 else None
        counter = rng.randrange(100, 7000)
        reference = f"{counter:06d}/{letter_day:%y}"
        printed_ref = reference if house == "norfolk" else reference.replace("/", "-")
        date_fmt = (lambda d: ordinal(d, of=rng.random() < 0.2)) if house == "norfolk" else cardinal
        no_day = shape.get("no_day", rng.random() < 0.06)
        date_line = f"{letter_day:%B %Y}" if no_day else date_fmt(letter_day)
        if not no_day and rng.random() < 0.15:
            date_line = f"{letter_day:%A} {date_line}"
        elif rng.random() < 0.1:
            date_line = f"Date: {date_line}"

        topic, q1, a1 = TOPICS[self.index % len(TOPICS)]
        year = letter_day.year - 1
        fill = dict(force=forces[0] + " Constabulary", year=year, supplier=rng.choice(SUPPLIERS))
        count = shape.get("questions", rng.choice([1, 2, 2, 3, 3, 4, 5]))
        asked = [(q1, a1)] + rng.sample(FOLLOW_UPS, k=count - 1)
        blocks: list[Block] = [Block("p", date_line), Block("space"),
                               Block("p", f"Freedom of Information Request Reference No: FOI {printed_ref}", bold=rng.random() < 0.5),
                               Block("space")]
        on = rng.choice(["on the ", "on "]) if house == "norfolk" else "on "
        received_text = ordinal(received) if house == "norfolk" else cardinal(received)
        intro = rng.choice(["in which you sought access to the following information:"] * 5 +
                           ["in which you requested the following information:", "in which you asked:",
                            ". Your request read as follows:"])
        blocks.append(Block("p", f"I write in connection with your request for information received by "
                                 f"{'the ' if joint else ''}{who} {on}{received_text}{'' if intro[0] == '.' else ' '}{intro}"))
        questions: list[Question] = []
        style = shape.get("request", rng.choice(["1", "1.", "1)", "Q1", "bullet", "inline", "1.", "2a"]))
        if count == 1:
            style = "single"
        quoted = house == "suffolk" and rng.random() < 0.7
        printed_questions = []
        for n, (q, _) in enumerate(asked, start=1):
            # "2a" style: 1, 2, 2a, 2b ... each a question of its own, numbered as printed
            number = str(n) if style != "2a" or n <= 2 else f"2{'abcdef'[n - 3]}"
            printed_questions.append((number, q.format(**fill, n=0)))
        subs: list[str] = []
        if style not in ("inline", "single", "bullet") and rng.random() < 0.3:
            subs = rng.sample(["Fixed sites", "Mobile units", "Training costs", "Maintenance", "Storage of footage"], k=3)
        sub_style = rng.choice(["A", "a.", "i.", "o"])
        for i, (number, text) in enumerate(printed_questions):
            shown = text
            if quoted and i == 0:
                shown = "\u201c" + shown
            last = i == len(printed_questions) - 1
            truth_text = text
            if style == "single":
                blocks.append(Block("p", f"\u201c{text}\u201d" if quoted else text))
            elif style == "inline":
                continue
            elif style == "bullet":
                blocks.append(Block("item", shown + ("\u201d" if quoted and last else ""), label="-"))
            else:
                label = {"1": number, "1.": f"{number}.", "1)": f"{number})", "Q1": f"Q{number}", "2a": f"{number}."}[style]
                blocks.append(Block("item", shown + ("\u201d" if quoted and last and not subs else ""), label=label))
            if subs and last:
                marks = {"A": ["A", "B", "C"], "a.": ["a.", "b.", "c."], "i.": ["i.", "ii.", "iii."], "o": ["o", "o", "o"]}[sub_style]
                for j, (mark, sub) in enumerate(zip(marks, subs)):
                    end = "\u201d" if quoted and j == len(subs) - 1 else ""
                    blocks.append(Block("item", sub + end, label=mark, indent=1))
                truth_text = text + "\n" + "\n".join(f"{m} {s}" if m != "o" else s for m, s in zip(marks, subs))
            questions.append(Question(number, truth_text, None))
        if style == "inline":
            joined = " ".join(f"({n}) {t}" for n, t in printed_questions)
            blocks.append(Block("p", ("\u201c" if quoted else "") + "Please tell me " + joined + ("\u201d" if quoted else "")))
            questions = [Question(n, t, None) for n, t in printed_questions]
        if shape.get("clarification", rng.random() < 0.12):
            clar = "Clarification: by the figures I mean the totals for the whole force area."
            blocks.append(Block("p", clar))
            questions[-1].text += "\n" + clar

        heading = rng.choice(["Response to your Request"] * 6 + ["Response", "Our response", "RESPONSE TO YOUR REQUEST", ""])
        blocks += [Block("space")] + ([Block("heading", heading)] if heading else [])
        if correct:
            blocks.append(Block("p", f"The response provided below is correct as of "
                                     f"{ordinal(correct) if house == 'norfolk' else cardinal(correct)}."))
        lead = rng.choice(["{who} {verb} located the following information as relevant to your request.",
                           "{who} {verb} considered your request and can respond as follows.",
                           "Please find below our response to your request."])
        blocks.append(Block("p", lead.format(who=who, verb="have" if joint else "has")))

        exemptions: list[str] = []
        answer_style = shape.get("answers", rng.choice(["Q1", "1.", "repeat", "Q1", "1.", "question"] if style != "single"
                                                       else ["Q1", "1.", "plain"]))
        if house == "suffolk" and answer_style == "Q1" and rng.random() < 0.6:
            answer_style = "1."
        whole_outcomes = {"refused_s12", "refused_s14", "ncnd_all", "not_held_all_whole", "refused_s40", "refused_s31"}
        per_question = [""] * len(questions)
        if outcome in whole_outcomes:
            whole_blocks, exemptions = self.whole_block(outcome, who, forces)
            if exemptions and rng.random() < 0.3:
                listed = ", ".join("Section " + c[1:] for c in exemptions)
                whole_blocks = [Block("table", rows=(("Exemptions applied", listed),))] + whole_blocks
            if rng.random() < 0.2:
                whole_blocks.append(Block("p", "Section 21 does not apply, as the information is not published elsewhere."))
            if len(questions) == 1:
                questions[0].answer = block_text(whole_blocks)
            blocks += whole_blocks
        else:
            per_question = self.plan(outcome, len(questions))
            for i, q in enumerate(questions):
                answer_blocks, cited = self.answer(per_question[i], asked[i], fill, forces, who, style_table=rng.random() < 0.3)
                exemptions += [c for c in cited if c not in exemptions]
                first, *rest = answer_blocks
                if answer_style == "repeat":
                    blocks.append(Block("p", q.text.split("\n")[0], bold=True))
                    blocks.append(Block("p", "Answer: " + first.text) if first.kind == "p" else first)
                elif answer_style == "question":
                    blocks.append(Block("p", f"Question {q.number}: {q.text.splitlines()[0]}", bold=True))
                    blocks.append(Block("p", "Response: " + first.text) if first.kind == "p" else first)
                elif answer_style == "plain":
                    blocks.append(first)
                else:
                    label = f"Q{q.number}" if answer_style == "Q1" else f"{q.number}."
                    blocks.append(Block("item", first.text, label=label) if first.kind == "p" else first)
                blocks += rest
                q.answer = block_text(answer_blocks)
        if rng.random() < 0.3:
            note = ("Please note that section 16 of the Act obliges us to offer advice and assistance; "
                    "we have published similar figures before.")
            blocks.append(Block("p", note))
            if questions[-1].answer is not None:  # text before the boilerplate belongs to the last answer
                questions[-1].answer += "\n" + note
        blocks.append(Block("space"))
        start = rng.randrange(0, 2)
        blocks += [Block("p", text) for text in REVIEW[start:]]
        outcome_name = {"refused_s12": "refused", "refused_s14": "refused", "refused_s40": "refused", "refused_s31": "refused",
                        "ncnd_all": "neither_confirm_nor_deny", "not_held_all_whole": "not_held"}.get(outcome, outcome)
        return Letter(
            name="", reference=reference, forces=forces, letter_date=None if no_day else letter_day.isoformat(),
            received_date=received.isoformat(), correct_as_of=correct.isoformat() if correct else None,
            questions=questions, exemptions=_most_specific(exemptions), outcome=outcome_name, blocks=blocks,
            letterhead=f"{who} - Freedom of Information" if rng.random() < 0.8 else "",
            page_of=rng.random() < 0.6, title=f"FOI {printed_ref} {topic.capitalize()}",
            published=(letter_day + dt.timedelta(days=2)).isoformat(),
        )

    def plan(self, outcome: str, count: int) -> list[str]:
        """How each question is answered, for an outcome decided per question."""
        rng = self.rng
        if outcome == "disclosed":
            return ["answer"] * count
        if outcome == "not_held":
            return ["not_held"] * count
        if outcome == "refused":  # every question refused, each with its exemption
            return ["s21" if rng.random() < 0.5 else "exempt"] * count
        other = {"partially_disclosed": rng.choice(["not_held", "exempt", "ncnd", "s21"])}[outcome]
        if count == 1:
            return [other]  # never reached: partial letters have two questions or more
        plan = ["answer"] * count
        plan[rng.randrange(1, count)] = other
        return plan

    def answer(self, how: str, asked: tuple[str, str], fill: dict, forces: list[str], who: str,
               style_table: bool) -> tuple[list[Block], list[str]]:
        rng = self.rng
        q, a = asked
        if how == "not_held":
            return [Block("p", rng.choice(NOT_HELD).replace("Norfolk Constabulary", who.replace("ies", "y")))], []
        if how == "s21":
            url = ("https://www.police.uk/pu/your-area/norfolk-constabulary/performance/published-figures/"
                   "previously-published-figures-for-this-request/")
            return [Block("p", "This information is published and reasonably accessible to you at the link below:"),
                    Block("p", url),
                    Block("p", "Under Section 21(1) of the Freedom of Information Act (2000), public authorities are not "
                               "required to provide information that is reasonably accessible to the applicant by other "
                               "means; this serves as a refusal notice for this part of your request.")], ["s21(1)"]
        if how == "ncnd":
            code = rng.choice(["s31(3)", "s24(2)", "s30(3)"])
            return [Block("p", f"{who} can neither confirm nor deny that it holds any further information relevant to this "
                               f"question by virtue of Section {code[1:]}."),
                    Block("p", "To confirm or deny would reveal policing tactics.")], [code]
        if how == "exempt":
            code = rng.choice(["s31(1)(a)", "s43(2)", "s38(1)(a)", "s24(1)", "s40(2)", "s30(1)(a)"])
            name = {"s31": "Law Enforcement", "s43": "Commercial Interests", "s38": "Health and Safety",
                    "s24": "National Security", "s40": "Personal Information", "s30": "Investigations"}[code.split("(")[0]]
            printed = "Section " + code[1:]
            blocks = [Block("p", "This information is exempt from disclosure and has therefore not been provided."),
                      Block("p", DUTIES),
                      Block("p", "The information is exempt by virtue of the following exemption:"),
                      Block("item", f"**{printed} {name}**", label="-")]
            if code.startswith(("s31", "s24", "s38", "s43", "s30")):
                blocks += [Block("heading", HARM[0]), Block("p", HARM[1])]
                section = code.split("(")[0][1:]
                for head, text in PIT:
                    blocks.append(Block("heading", head.replace("Factors", f"Section {section} \u2013 factors")
                                        if head.startswith("Factors") else head))
                    if text:
                        blocks.append(Block("p", text))
            else:
                blocks.append(Block("p", "Section 40(2) is an absolute exemption and there is no requirement to consider "
                                         "the public interest. Section 29 of the Data Protection Act 2018 does not apply here."))
            return blocks, [code]
        # disclosed, with figures: a sentence, per-force lines, or a table
        if a == "TABLE" or (style_table and len(forces) == 1):
            months = ["January", "February", "March", "April"]
            rows = (("Month", "Number"),) + tuple((m, str(rng.randrange(5, 90))) for m in months)
            if len(forces) == 2:
                rows = (("Month", "Norfolk", "Suffolk"),) + tuple((m, str(rng.randrange(5, 90)), str(rng.randrange(5, 90)))
                                                                   for m in months)
            return [Block("p", "Please see the table below:"), Block("table", rows=rows)], []
        if len(forces) == 2 and rng.random() < 0.6:
            norfolk, suffolk = (a.format(**fill, n=rng.randrange(3, 900)) for _ in range(2))
            if rng.random() < 0.5:  # the forces as headings of their own
                return [Block("p", "Norfolk", bold=True), Block("p", norfolk), Block("p", "Suffolk", bold=True),
                        Block("p", suffolk)], []
            return [Block("p", f"Norfolk: {norfolk}"), Block("p", f"Suffolk: {suffolk}")], []
        return [Block("p", a.format(**fill, n=rng.randrange(3, 900)))], []

    def whole_block(self, outcome: str, who: str, forces: list[str]) -> tuple[list[Block], list[str]]:
        rng = self.rng
        if outcome == "refused_s12":
            per_force = " per force" if len(forces) == 2 else ""
            code = rng.choice(["s12(1)", "s12"])
            head = "Section 12(1)" if code == "s12(1)" else "Section 12"
            return [Block("heading", f"{head} - Cost of Compliance Exceeds Appropriate Limit"),
                    Block("p", f"The appropriate limit is GBP 450{per_force}, which represents 18 hours of work. To answer "
                               "your request every crime record would have to be read by hand, which would exceed the limit."),
                    Block("p", "This letter serves as a refusal notice under section 17(5) of the Act. By way of advice "
                               "and assistance under section 16, you may wish to narrow your request to a single year."),
                    Block("p", f"As a gesture of goodwill, {rng.randrange(20, 90)} records were found for one month.")], [code]
        if outcome == "refused_s14":
            return [Block("p", "Your request is considered vexatious under **Section 14(1)** of the Act and will not be "
                               "answered.")], ["s14(1)"]
        if outcome == "ncnd_all":
            codes = rng.choice([["s23(5)", "s24(2)", "s31(3)"], ["s30(3)", "s40(5)"], ["s24(2)", "s31(3)"]])
            cited = " and ".join("Section " + c[1:] for c in codes)
            return [Block("p", f"{who} can neither confirm nor deny that {'they hold' if len(forces) == 2 else 'it holds'} "
                               f"the information you requested, as the duty in section 1(1)(a) does not apply by virtue "
                               f"of {cited}."),
                    Block("p", "Any confirmation or denial would reveal whether covert tactics are in use.")], codes
        if outcome == "not_held_all_whole":
            return [Block("p", "Following searches of the relevant systems, no information is held relevant to your "
                               "request.")], []
        if outcome == "refused_s40":
            return [Block("p", "The information you have requested is personal data. It is exempt from disclosure under "
                               "**Section 40(2) and (3A)(a)** of the Act, an absolute exemption."), Block("p", DUTIES)], \
                ["s40(2)", "s40(3A)(a)"]
        return [Block("p", "The information requested is exempt by virtue of **Section 31(1)(a) and (b) Law Enforcement** "
                           "and **Section 24(1) National Security**."),
                Block("heading", HARM[0]), Block("p", HARM[1]),
                Block("p", "The balance lies in favour of non-disclosure and this letter serves as a refusal notice under "
                           "section 17(1) of the Act.")], ["s31(1)(a)", "s31(1)(b)", "s24(1)"]


def _most_specific(codes: list[str]) -> list[str]:
    return [c for c in codes if not any(o != c and o.startswith(c + "(") for o in codes)]


OUTCOMES = ["disclosed", "partially_disclosed", "refused", "not_held", "refused_s12", "ncnd_all",
            "refused_s40", "refused_s31", "not_held_all_whole", "refused_s14"]


def build(out: Path) -> int:
    """Write the corpus under out; return how many files."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rng = random.Random(SEED)
    n = 0

    def write(name: str, data: bytes | str, truth: dict) -> None:
        nonlocal n
        (out / name).write_bytes(data.encode() if isinstance(data, str) else data)
        (out / f"{name}.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n")
        n += 1

    def letter(i: int, outcome: str, **shape: object) -> Letter:
        composed = Composer(rng, i).compose(outcome, shape=dict(shape) or None)
        if outcome == "partially_disclosed" and len(composed.questions) < 2:
            return letter(i, outcome, questions=3, **{k: v for k, v in shape.items() if k != "questions"})
        return composed

    plans = [OUTCOMES[i % len(OUTCOMES)] for i in range(50)]
    for i, outcome in enumerate(plans):
        item = letter(i, outcome)
        write(f"letter-{i + 1:02d}.pdf", render_pdf(item, superscript_numero=rng.random() < 0.7), item.truth())
    for i in range(20):
        item = letter(100 + i, OUTCOMES[(i * 3) % len(OUTCOMES)])
        write(f"platform-{i + 1:02d}.html", render_html(item, with_main=i % 4 != 0), item.truth())
    for i in range(8):
        item = letter(200 + i, OUTCOMES[(i * 7) % len(OUTCOMES)], questions=rng.choice([1, 2, 3]))
        write(f"scanned-{i + 1:02d}.pdf", scan(render_pdf(item)), item.truth(ocr=True))
    for shape in SHAPES:
        write(f"shape-{shape.name}.pdf", shape.pdf(), shape.truth())
    broken(out, write, rng)
    return n


def broken(out: Path, write, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    """Ten files that must each give an error or a warning, never a crash."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    sample = render_pdf(Composer(rng, 999).compose("disclosed"))
    encrypted = io.BytesIO()
    c = canvas.Canvas(encrypted, pagesize=A4, encrypt="secret", invariant=1)
    c.drawString(72, 720, "Freedom of Information Request Reference No: FOI 001234/21")
    c.showPage()
    c.save()
    long_lines = [f"Row {i}: figures for incident category {i % 17} in district {i % 9}" for i in range(60)]
    big = tiny_pdf(long_lines)
    pages = _many_pages(300, long_lines)
    files = {
        "broken-empty.pdf": (b"", "error"),
        "broken-truncated.pdf": (sample[: len(sample) // 3], "error"),
        "broken-encrypted.pdf": (encrypted.getvalue(), "error"),
        "broken-html-as-pdf.pdf": (b"<!DOCTYPE html><html><body><h1>503 Service Unavailable</h1></body></html>", "error"),
        "broken-random.pdf": (bytes(rng.randrange(256) for _ in range(4096)), "error"),
        "broken-300-pages.pdf": (pages, "warning"),
        "broken-header-only.pdf": (b"%PDF-1.7\n%%EOF\n", "error"),
        "broken-docx.docx": (b"PK\x03\x04" + bytes(200), "error"),
        "broken-no-letter.pdf": (big, "warning"),
        "broken-binary.html": (bytes(range(256)) * 8, "error"),
    }
    for name, (data, expect) in files.items():
        write(name, data, {"expect": expect})


def _many_pages(count: int, lines: list[str]) -> bytes:
    """A long data dump: `count` pages of table-like text."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, invariant=1)
    for page in range(count):
        c.setFont("Helvetica", 8)
        for i, line in enumerate(lines):
            c.drawString(40, 800 - i * 12, f"{page}-{line}")
        c.showPage()
    c.save()
    return out.getvalue()


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "tests" / "corpus"
    print(f"wrote {build(out)} files to {out}")


if __name__ == "__main__":
    main()
