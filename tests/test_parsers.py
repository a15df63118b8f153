"""Parser helpers on small texts: each rule of INTERFACE.md that a letter relies on."""

from __future__ import annotations

import pytest

from parsers import ParseError
from parsers.dates import parse_date
from parsers.document import parse_document
from parsers.exemptions import extract_exemptions
from parsers.html import extract_text as html_text
from parsers.letter import extract_forces, parse_letter
from parsers.outcome import classify_answer
from parsers.references import extract_reference, reference_from_name, strip_reference
from parsers.sniff import sniff
from parsers.text import clean_lines, normalise


@pytest.mark.parametrize(("text", "iso"), [
    ("20th May 2019", "2019-05-20"), ("2 July 2019", "2019-07-02"), ("on the 3rd of April, 2019", "2019-04-03"),
    ("1st Sept 2020", "2020-09-01"), ("March 2017", None), ("31st June 2019", None), ("2024-03-12T09:00:00Z", "2024-03-12"),
])
def test_dates(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize(("text", "reference"), [
    ("Freedom of Information Request Reference No: FOI 001310/19", "001310/19"),
    ("Reference No: FOI 002402-19", "002402/19"),
    ("FOI 2019/00123", None), ("FOI-123-19", None), ("Our ref: 2019-000123", None),
])
def test_references(text: str, reference: str | None) -> None:
    assert extract_reference(text) == reference


def test_references_from_names_and_titles() -> None:
    assert reference_from_name("003610-18_-_cctv_maintenance_and_support_supplier.pdf") == "003610/18"
    assert reference_from_name("FOI 000456/24 Drones") == "000456/24"
    assert strip_reference("FOI 000456-24 Drones used") == "Drones used"
    assert strip_reference("003610-18 - CCTV maintenance") == "CCTV maintenance"


@pytest.mark.parametrize(("text", "codes"), [
    ("**Section 31(1) Law Enforcement** and **Section 24(1) National Security**", ["s31(1)", "s24(1)"]),
    ("s31(1)(a)&(b) applies", ["s31(1)(a)", "s31(1)(b)"]),
    ("Section 40(2) and (3A)(a) apply", ["s40(2)", "s40(3A)(a)"]),
    ("neither confirm nor deny by virtue of Sections 24(2) and 31(3)", ["s24(2)", "s31(3)"]),
    ("Section 12 cost limit. Under Section 12(1) the cost would exceed the limit.", ["s12(1)"]),
    ("Section 1 places two duties; section 17(1) requires a refusal notice; see section 16 advice.", []),
    ("section 29 of the Data Protection Act 2018 permits this. Section 21 does not apply.", []),
    ("You may complain under section 50 of the Act.", []),
])
def test_exemptions(text: str, codes: list[str]) -> None:
    assert [c.code for c in extract_exemptions(text)] == codes


@pytest.mark.parametrize(("answer", "result"), [
    ("No relevant information held", "not_held"),
    ("There are 600 fixed cameras.", "disclosed"),
    ("The information is exempt by virtue of Section 31(1).", "refused"),
    ("We neither confirm nor deny that this information is held.", "neither_confirm_nor_deny"),
    ("Norfolk: 512. Suffolk: 398. The figures for 2020 are not held centrally but were collated by hand "
     "from the custody records of each investigation centre, which list every detention in full detail.", "disclosed"),
])
def test_answer_classes(answer: str, result: str) -> None:
    assert classify_answer(answer) == result


def test_forces_come_from_the_received_sentence_not_the_letterhead() -> None:
    text = ("Norfolk and Suffolk Constabularies\nI write in connection with your request received by "
            "Suffolk Constabulary on 2 July 2019.")
    assert extract_forces(text) == ("Suffolk",)
    assert extract_forces("received by the Suffolk and Norfolk Constabularies on") == ("Norfolk", "Suffolk")


def test_clean_lines_normalises_glyphs_and_drops_running_lines() -> None:
    pages = ["HEADER LINE\n\u201cQuoted\u201d \u2013 Reference N o: FOI\n(cid:127) first\nOFFICIAL Page 1",
             "HEADER LINE\nSecond page informa-\ntion here\n\uf0b7 bullet\nOFFICIAL Page 2"]
    lines = [l for l in clean_lines(pages) if l]
    assert lines == ['"Quoted" - Reference No: FOI', "- first", "Second page information here", "- bullet"]
    assert normalise("N^o") == "N^o", "only the reference line's superscript is folded"


def test_questions_numbering_schemes_and_answer_pairing() -> None:
    text = """2 July 2019
Reference No: FOI 002402-19
I write in connection with your request received by Suffolk Constabulary on 12 June 2019 in which you sought access to the following information:
"1) How many officers were assaulted in the last 12 months?
12 months means the year to May 2019.
2) Please break this down by:
a. type of injury
b. month
3) How many cases led to a charge?"
Response to your Request
Suffolk Constabulary has considered your request and can respond as follows.
1. 214 officers were assaulted.
2. See the table below:
Injury | Count
Minor | 200
3. No information held.
This response will be published on the Constabularies web-site.
Your Right to Request a Review"""
    letter = parse_letter(text.splitlines())
    assert [q.number for q in letter.questions] == ["1", "2", "3"]
    assert "12 months means" in letter.questions[0].text
    assert "a. type of injury" in letter.questions[1].text  # the label as printed
    assert letter.questions[1].answer == "See the table below:\nInjury | Count\nMinor | 200"
    assert letter.questions[2].answer == "No information held."
    assert letter.outcome == "partially_disclosed"
    assert letter.letter_date == "2019-07-02" and letter.received_date == "2019-06-12"


def test_inline_numbering_and_whole_request_blocks() -> None:
    text = """1 March 2021
Reference No: FOI 000111/21
I write in connection with your request received by Norfolk Constabulary on 1st February 2021 in which you sought access to the following information:
Please tell me (1) how many drones you own (2) what they cost (3) who supplies them.
Response to your Request
The cost of compliance would exceed the appropriate limit under Section 12(1) of the Act.
Should you have any further queries please contact us."""
    letter = parse_letter(text.splitlines())
    assert [q.text for q in letter.questions] == ["how many drones you own", "what they cost", "who supplies them."]
    assert all(q.answer is None for q in letter.questions)
    assert letter.outcome == "refused" and [c.code for c in letter.exemptions] == ["s12(1)"]


def test_platform_page_text_keeps_the_response_without_chrome() -> None:
    html = """<html><body><a class="quick-exit" href="https://www.bbc.co.uk">Leave this site</a>
    <div class="cookie-banner">We use some essential cookies to make this service work.</div>
    <div class="beta-banner">This is a new service</div><nav><a href="/">Home</a></nav>
    <main><h1>FOI 000456-24 Drones</h1><p>Published: <time datetime="2024-03-14">14 March 2024</time></p>
    <p>Request:</p><ol><li>How many drones?</li><li>Where?</li></ol>
    <table><tr><th>Year</th><th>Flights</th></tr><tr><td>2023</td><td>37</td></tr></table></main>
    <footer>Copyright</footer></body></html>"""
    text = html_text(html)
    assert [line for line in text.splitlines() if line] == ["Request:", "1. How many drones?", "2. Where?", "Year | Flights", "2023 | 37"]


def test_document_kinds_and_broken_files() -> None:
    assert sniff(b"%PDF-1.4 ...") == "pdf" and sniff(b"<!DOCTYPE html><html>") == "html"
    assert sniff(b"PK\x03\x04rest") == "zip"
    for data, message in [(b"", "empty file"), (b"%PDF-1.4\n%%EOF", "PDF"), (b"PK\x03\x04xx", "not a letter")]:
        with pytest.raises(ParseError, match=message):
            parse_document(data)


def test_exemptions_record_the_questions_whose_answers_cite_them() -> None:
    text = """1 March 2021
Reference No: FOI 000222/21
I write in connection with your request received by Norfolk Constabulary on 1st February 2021 in which you sought access to the following information:
1. How many drones?
2. Who supplies them?
3. Where are they kept?
Response to your Request
Q1 There are 9 drones.
Q2 The supplier is exempt under Section 43(2) Commercial Interests.
Q3 This is exempt under Section 31(1)(a) and Section 24(1).
Section 31 - factors favouring disclosure
Section 17(1) refusal notice.
This response will be published on the web-site."""
    letter = parse_letter(text.splitlines())
    by_code = {c.code: c.questions for c in letter.exemptions}
    assert by_code == {"s43(2)": ("2",), "s31(1)(a)": ("3",), "s24(1)": ("3",)}
    assert letter.to_json()["exemptions"][0]["questions"] == ["2"]


def test_a_missing_reference_is_taken_from_the_file_name_with_a_warning() -> None:
    from tools.tinypdf import tiny_pdf

    data = tiny_pdf(["2 July 2019", "I write in connection with your request received by Suffolk Constabulary",
                     "on 12 June 2019 in which you sought access to the following information:",
                     "How many drones?", "Response to your Request", "There are 9 drones."])
    letter = parse_document(data, "003610-18_-_drones.pdf")
    assert letter.reference == "003610/18"
    assert letter.warnings == ("no reference found in the letter", "reference 003610/18 taken from the file name")
    assert parse_document(data).reference is None


def test_a_scan_without_tesseract_is_an_error_that_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    from parsers import ocr

    scanned = (Path(__file__).parent / "corpus" / "scanned-01.pdf").read_bytes()
    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    with pytest.raises(ParseError, match="needs OCR, but tesseract is not installed"):
        parse_document(scanned)


@pytest.mark.parametrize(("answer", "result"), [
    ("We have no information relevant to this question.", "not_held"),
    ("The figures cannot be provided as they are exempt.", "refused"),
    ("This information will not be disclosed.", "refused"),
    ("The figures will be provided in the table below.", "disclosed"),
])
def test_more_answer_wordings(answer: str, result: str) -> None:
    assert classify_answer(answer) == result


def test_platform_detail_pages_with_a_numeric_month_are_found() -> None:
    from scraper.sources import parse_source

    source = parse_source({"name": "s", "force": "Suffolk", "layout": "platform",
                           "start_urls": ["https://mirror.invalid/foi-ai/suffolk-constabulary/disclosure-log/"]}, "test")
    base = "https://mirror.invalid/foi-ai/suffolk-constabulary/disclosure-log/2024/"
    assert source.detail.search(base + "03/foi-001234-24-drones/")
    assert source.detail.search(base + "march/foi-001234-24-drones/")
    assert not source.detail.search(base + "03/") and not source.detail.search(base + "march/")


@pytest.mark.parametrize("answer", [
    "This information is EXEMPT under section 31.", "Exemptions apply.", "This is a refusal notice.", "Figures withheld.",
    "It has not been provided.", "They have therefore not been disclosed.", "It will not be released.",
    "It cannot be provided.", "It can not be disclosed.", "It could not be released.", "It would not be provided.",
    "We are unable to provide it.", "It exceeds the cost limit.", "Above the appropriate limit.", "A vexatious request.",
    "We neither confirm nor deny.", "NCND applies.", "The force neither confirms nor denies it.",
])
def test_the_word_check_before_each_outcome_pattern_never_hides_a_match(answer: str) -> None:
    from parsers import outcome

    lowered = answer.lower()
    for pattern, words in ((outcome._NCND, outcome._NCND_WORDS), (outcome._REFUSED, outcome._REFUSED_WORDS)):
        assert outcome._found(pattern, words, answer, lowered) == bool(pattern.search(answer))
    assert outcome.classify_answer(answer) in ("refused", "neither_confirm_nor_deny")



@pytest.mark.parametrize(("answer", "result"), [
    ("This is not recorded.", "not_held"),
    ("No record is kept of journeys by bicycle.", "not_held"),
    ("The reason for each stop is not captured on our systems.", "not_held"),
    ("Locating this would take more than 18 hours.", "refused"),
    ("Providing it would be in excess of the appropriate limit of \u00a3450.", "refused"),
    ("There were 14 stops in the last 18 hours of the operation.", "disclosed"),
])
def test_answers_in_the_words_real_letters_use(answer: str, result: str) -> None:
    assert classify_answer(answer) == result


COST_LETTER = """Suffolk Constabulary, Martlesham Heath, Ipswich IP5 3QS 07/03/2017
Freedom of Information Request Reference No: FOI 004812/17
The Policing and Crime Act received royal assent on 31 January 2017, which brought changes.
Your request for information was received on 14/02/2017. You asked:
1 How many bicycles were reported stolen in each ward since 2010?
2 How many were recovered?
Response to your Request
To answer this the force would have to read every crime report by hand, which would take well over
the 18 hours allowed, and the cost of compliance would exceed the appropriate limit of \u00a3450.
This response will be published on the Constabulary's website."""


def test_a_cost_refusal_in_words_numeric_dates_and_the_request_s_received_date() -> None:
    letter = parse_letter(COST_LETTER.splitlines())
    assert letter.letter_date == "2017-03-07", "the date at the end of the address line"
    assert letter.received_date == "2017-02-14", "the request's sentence, not the royal assent's"
    assert [c.code for c in letter.exemptions] == ["s12"]
    assert letter.outcome == "refused"
    assert "a cost-limit refusal that names no section: cited as s12" in letter.warnings


def _letter(request: str, response: str) -> str:
    return ("3rd May 2021\nFreedom of Information Request Reference No: FOI 001234/21\n"
            "I write in connection with your request for information received by Norfolk Constabulary on the 1st April 2021 "
            f"in which you sought access to the following information:\n{request}\nResponse to your Request\n{response}\n"
            "Should you have any further queries concerning this request, please contact us.")


def test_a_numbered_list_inside_the_one_answer_stays_in_it() -> None:
    letter = parse_letter(_letter("How many officers work at each station?",
                                  "1. Ipswich: 50\n2. Lowestoft: 32\n3. Bury St Edmunds: 41").splitlines())
    assert [q.number for q in letter.questions] == ["1"]
    assert "Lowestoft: 32" in (letter.questions[0].answer or "") and "Bury" in (letter.questions[0].answer or "")
    assert letter.warnings == ()


def test_answer_labels_that_cannot_be_reconciled_are_flagged() -> None:
    letter = parse_letter(_letter("Please tell me about the dog section and its costs.",
                                  "Q1 There are 24 dogs.\nQ2 The section cost 410,000 pounds.\nQ3 Not recorded.").splitlines())
    assert any("answers are labelled 1-3" in w for w in letter.warnings)


def test_answers_run_together_are_cut_at_their_labels() -> None:
    letter = parse_letter(_letter("1. How many dogs are there?\n2. How many handlers are there?",
                                  "Q1 There are 24 dogs. Q2 There are 20 handlers.").splitlines())
    assert [(q.number, q.answer) for q in letter.questions] == [("1", "There are 24 dogs."), ("2", "There are 20 handlers.")]


def test_an_answer_with_no_outcome_words_and_nothing_given_is_flagged() -> None:
    letter = parse_letter(_letter("1. How many dogs are there?\n2. Are any retired?", "Q1 There are 24 dogs.\nQ2 Not applicable.").splitlines())
    assert "the answer to question 2 could not be classified" in letter.warnings


def test_a_refusal_with_no_citation_is_flagged() -> None:
    letter = parse_letter(_letter("How many dogs are there?", "This information will not be provided.").splitlines())
    assert letter.outcome == "refused" and "the outcome (refused) was inferred without a citation" in letter.warnings


@pytest.mark.parametrize(("answer", "kind"), [
    ("Please see the attached spreadsheet.", "attachment"), ("This would go beyond the costs limit.", "cost_limit"),
    ("This is not recorded.", "not_held"), ("No record is kept of this.", "not_held"),
    ("The information is not captured on our systems.", "not_held"), ("We can neither confirm nor deny this.", "neither_confirm_nor_deny"),
    ("It is exempt under section 40(2).", "refused"), ("Not applicable.", "unclear"), ("There were 12.", "disclosed"),
])
def test_answer_kinds(answer: str, kind: str) -> None:
    from parsers.outcome import answer_kind

    assert answer_kind(answer) == kind


def test_a_request_printed_after_the_heading_when_the_cue_is_followed_by_nothing() -> None:
    letter = parse_letter(_letter("", "Your request:\nHow many dogs does the force have?\nAnswer:\nThere are 24 dogs.").splitlines())
    assert [(q.text, q.answer) for q in letter.questions] == [("How many dogs does the force have?", "There are 24 dogs.")]


def test_labels_alone_on_their_lines_with_the_question_repeated_and_answer_alone() -> None:
    response = "Question 1\nHow many dogs are there?\nAnswer\nThere are 24 dogs.\nQuestion 2\nHow many cats are there?\nAnswer\nNone are held."
    letter = parse_letter(_letter("1. How many dogs are there?\n2. How many cats are there?", response).splitlines())
    assert [q.answer for q in letter.questions] == ["There are 24 dogs.", "None are held."]


def test_a_lead_sentence_that_is_the_whole_answer_is_kept() -> None:
    letter = parse_letter(_letter("How many dogs are there?", "Norfolk Constabulary has completed searches and no information is held.").splitlines())
    assert letter.outcome == "not_held" and letter.questions[0].answer


def test_a_line_saying_no_information_is_held_ends_the_request() -> None:
    request = "1. How many dogs are there?\n2. How many cats are there?\nNorfolk Constabulary does not hold information relevant to your request."
    letter = parse_letter(_letter(request, "Neither is recorded by the force.").splitlines())
    assert [q.text for q in letter.questions] == ["How many dogs are there?", "How many cats are there?"]
    assert letter.outcome == "not_held"


def test_the_lead_sentence_is_not_a_request_cue_and_questions_may_sit_in_the_response() -> None:
    text = ("1st May 2020\nFreedom of Information Request Reference No: FOI 001234/20\n"
            "Thank you for your request for information received by Norfolk Constabulary on 2nd April 2020.\nResponse to your Request\n"
            "Norfolk Constabulary has located the following information as relevant to your request.\n"
            "1. How many dogs does the force have?\nThere are 24 dogs.\n2. How many handlers are there?\nThere are 20 handlers.\nYours sincerely")
    letter = parse_letter(text.splitlines())
    assert [(q.text, q.answer) for q in letter.questions] == [("How many dogs does the force have?", "There are 24 dogs."),
                                                             ("How many handlers are there?", "There are 20 handlers.")]
    assert "the questions were read from the response" in letter.warnings


def test_a_lead_sentence_wrapped_over_lines_belongs_to_no_answer() -> None:
    response = ("Having searched its records, Norfolk Constabulary has located the following information as\n"
                "relevant to your request.\nThere are 24 dogs in the force.")
    letter = parse_letter(_letter("How many dogs are there?", response).splitlines())
    assert letter.questions[0].answer == "There are 24 dogs in the force."
    wrapped_before = "Having searched its records, Norfolk Constabulary\nhas located the following information.\nQ1 There are 24 dogs."
    assert parse_letter(_letter("1. How many dogs are there?", wrapped_before).splitlines()).questions[0].answer == "There are 24 dogs."


@pytest.mark.parametrize("text, forces", [
    ("received by Kent Police on 3 May 2024", ("Kent",)),
    ("The Metropolitan Police Service holds information", ("Metropolitan",)),
    ("received by Devon and Cornwall Police on", ("Devon and Cornwall",)),
    ("Avon and Somerset Constabulary can confirm", ("Avon and Somerset",)),
    ("received by the Suffolk and Norfolk Constabularies on", ("Norfolk", "Suffolk")),
    ("received by Kent Police and Essex Police on", ("Essex", "Kent")),
    ("received by Bedfordshire, Cambridgeshire and Hertfordshire Constabularies", ("Bedfordshire", "Cambridgeshire", "Hertfordshire")),
    ("received by Hampshire and Isle of Wight Constabulary", ("Hampshire and Isle of Wight",)),
    ("Dear Sir, The Loamshire Constabulary received your request", ("Loamshire",)),
    ("the Norfolk Police and Crime Commissioner holds", ()),
    ("under the Police Act 1996", ()),
    ("The Constabulary holds no information", ()),
])
def test_any_force_is_read_by_name_and_a_joint_letter_as_each_of_its_forces(text: str, forces: tuple[str, ...]) -> None:
    from parsers.forces import forces_named

    assert forces_named(text) == forces
