"""Letters in the shapes real response letters take (SITES.md, "Letters as the forces actually
write them"), each written by this project with the fields the parser must read beside it.

A shape letter is plain text, one paragraph a line: "## " starts a heading, "* " a bullet
item, a blank line a gap. tools.make_corpus renders each one as a PDF under the name
`shape-<name>.pdf`, its truth in `shape-<name>.pdf.json` with the shape's name under "shape".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tools.corpus import Block, render_blocks

REVIEW = """This response will be published on the Constabularies web-site under the Freedom of Information pages.
Should you have any further queries concerning this request, please contact the FOI team quoting the reference above.
Your Right to Request a Review of Decisions Made Under the Terms of the Freedom of Information Act (2000).
If you are unhappy with how your request has been handled you may ask for a review within 40 days."""


@dataclass(frozen=True)
class Shape:
    name: str
    text: str
    reference: str | None
    forces: list[str]
    letter_date: str | None
    received_date: str | None
    questions: list[tuple[str, str, str | None]]  # number, text, answer
    outcome: str
    exemptions: list[str] = field(default_factory=list)
    correct_as_of: str | None = None
    letterhead: str = "Norfolk Constabulary - Freedom of Information"

    def truth(self) -> dict[str, object]:
        return {
            "reference": self.reference, "forces": self.forces, "letter_date": self.letter_date,
            "received_date": self.received_date, "correct_as_of": self.correct_as_of,
            "questions": [{"number": n, "text": t, "answer": a} for n, t, a in self.questions],
            "exemptions": self.exemptions, "outcome": self.outcome, "ocr": False, "shape": self.name,
        }

    def lines(self) -> list[str]:
        """The text as a parser reads it from the PDF: bullets as "-", one line per paragraph."""
        return [("- " + line[2:]) if line.startswith("* ") else line.removeprefix("## ") for line in self.text.splitlines()]

    def pdf(self) -> bytes:
        blocks: list[Block] = []
        for line in self.text.splitlines():
            if not line.strip():
                blocks.append(Block("space"))
            elif line.startswith("## "):
                blocks.append(Block("heading", line[3:]))
            elif line.startswith("* "):
                blocks.append(Block("item", line[2:], label="-"))
            else:
                blocks.append(Block("p", line))
        return render_blocks(blocks, letterhead=self.letterhead, superscript_numero=False,
                             title=f"FOI {self.reference or 'response'}")


SHAPES = [
    Shape(
        "run-together-numbers",
        """14th March 2022

FOI Request Reference No: FOI 002211/22

I write about your request for information, received by Norfolk Constabulary on the 15th February 2022 in which you sought access to the following information:

For officers who joined the force during 2021 please tell me their 1 Rank on joining 2 Age band 3 Home county 4 Length of previous service

## Response to your Request

Having searched its records, Norfolk Constabulary has located the following information as relevant to your request.

Q1 All 212 officers joined at the rank of constable.
Q2 Under 25: 98. 25 to 34: 81. 35 and over: 33.
Q3 The home county of officers is not recorded.
Q4 Nine officers transferred from other forces with between two and eleven years of service.

""" + REVIEW,
        "002211/22", ["Norfolk"], "2022-03-14", "2022-02-15",
        [("1", "Rank on joining", "All 212 officers joined at the rank of constable."),
         ("2", "Age band", "Under 25: 98. 25 to 34: 81. 35 and over: 33."),
         ("3", "Home county", "The home county of officers is not recorded."),
         ("4", "Length of previous service", "Nine officers transferred from other forces with between two and eleven years of service.")],
        "partially_disclosed",
    ),
    Shape(
        "every-item-one",
        """2 August 2021

FOI Request Reference No: FOI 003018-21

I write about your request for information, received by Suffolk Constabulary on 8 July 2021 in which you sought access to the following information:

1. How many horses does the mounted section keep?
1. What did the force spend on feed and stabling in 2020?
1. How many mounted patrols took place at football matches in 2020?

## Response to your Request

Suffolk Constabulary has considered your request and can respond as follows.

1. The force keeps six horses.
2. Feed and stabling cost 41,300 pounds in 2020.
3. There were 17 mounted patrols at football matches.

""" + REVIEW,
        "003018/21", ["Suffolk"], "2021-08-02", "2021-07-08",
        [("1", "How many horses does the mounted section keep?", "The force keeps six horses."),
         ("2", "What did the force spend on feed and stabling in 2020?", "Feed and stabling cost 41,300 pounds in 2020."),
         ("3", "How many mounted patrols took place at football matches in 2020?", "There were 17 mounted patrols at football matches.")],
        "disclosed", letterhead="Suffolk Constabulary - Freedom of Information",
    ),
    Shape(
        "lead-in-bullets",
        """9th June 2020

FOI Request Reference No: FOI 001477/20

I write about your request for information, received by Norfolk Constabulary on the 12th May 2020 in which you sought access to the following information:

My questions are about the force's use of spit guards.
* How many spit guards were used in 2019?
* How many of those occasions involved a person under 18?
* What training do officers receive before using one?

## Response to your Request

Having searched its records, Norfolk Constabulary has located the following information as relevant to your request.

Q1 Spit guards were used 143 times in 2019.
Q2 Eleven of those occasions involved a person under 18.
Q3 Officers are trained in their use during annual personal safety training.

""" + REVIEW,
        "001477/20", ["Norfolk"], "2020-06-09", "2020-05-12",
        [("1", "How many spit guards were used in 2019?", "Spit guards were used 143 times in 2019."),
         ("2", "How many of those occasions involved a person under 18?", "Eleven of those occasions involved a person under 18."),
         ("3", "What training do officers receive before using one?", "Officers are trained in their use during annual personal safety training.")],
        "disclosed",
    ),
    Shape(
        "bullet-list-body",
        """23rd October 2019

FOI Request Reference No: FOI 004120/19

I write about your request for information, received by Norfolk Constabulary on the 30th September 2019 in which you sought access to the following information:

Please tell me how many visits school liaison officers made in 2018 to each of these schools:
* Aylsham High School
* Cromer Academy
* Wymondham College

## Response to your Request

Having searched its records, Norfolk Constabulary has located the following information as relevant to your request.

School liaison officers made 4 visits to Aylsham High School, 7 to Cromer Academy and 2 to Wymondham College.

""" + REVIEW,
        "004120/19", ["Norfolk"], "2019-10-23", "2019-09-30",
        [("1", "Please tell me how many visits school liaison officers made in 2018 to each of these schools:\n"
               "Aylsham High School\nCromer Academy\nWymondham College",
          "School liaison officers made 4 visits to Aylsham High School, 7 to Cromer Academy and 2 to Wymondham College.")],
        "disclosed",
    ),
    Shape(
        "sub-questions-without-parent",
        """5 May 2023

FOI Request Reference No: FOI 001902-23

I write about your request for information, received by Suffolk Constabulary on 11 April 2023 in which you sought access to the following information:

1a. How many calls to 101 were abandoned in 2022?
1b. What was the average wait before a call was abandoned?
2a. How many 999 calls were received in 2022?

## Response to your Request

Suffolk Constabulary has considered your request and can respond as follows.

1a. 38,412 calls to 101 were abandoned in 2022.
1b. The average wait before abandonment was 6 minutes 40 seconds.
2a. 142,005 emergency calls were received in 2022.

""" + REVIEW,
        "001902/23", ["Suffolk"], "2023-05-05", "2023-04-11",
        [("1a", "How many calls to 101 were abandoned in 2022?", "38,412 calls to 101 were abandoned in 2022."),
         ("1b", "What was the average wait before a call was abandoned?", "The average wait before abandonment was 6 minutes 40 seconds."),
         ("2a", "How many 999 calls were received in 2022?", "142,005 emergency calls were received in 2022.")],
        "disclosed", letterhead="Suffolk Constabulary - Freedom of Information",
    ),
    Shape(
        "comma-and-bracket-numbers",
        """18th January 2018

FOI Request Reference No: FOI 000233/18

I write about your request for information, received by Norfolk Constabulary on the 19th December 2017 in which you sought access to the following information:

(1) How many drink driving arrests were made in December 2017?
(2) How many of those arrested were later charged?

## Response to your Request

Having searched its records, Norfolk Constabulary has located the following information as relevant to your request.

Q1 There were 96 arrests for drink driving in December 2017.
Q2 71 of those arrested were charged.

""" + REVIEW,
        "000233/18", ["Norfolk"], "2018-01-18", "2017-12-19",
        [("1", "How many drink driving arrests were made in December 2017?", "There were 96 arrests for drink driving in December 2017."),
         ("2", "How many of those arrested were later charged?", "71 of those arrested were charged.")],
        "disclosed",
    ),
    Shape(
        "you-asked-our-response",
        """Dated: 03 Mar 2017

FOI Request Reference No: FOI 000512/17

Thank you for your request for information received by Suffolk Constabulary on 6 February 2017.

You asked:

1, How many police stations have a front counter open to the public?
2, What are the opening hours of the Ipswich front counter?

## Our Response

1, Eight police stations have a front counter open to the public.
2, The Ipswich front counter is open from 8am to 8pm every day.

""" + REVIEW,
        "000512/17", ["Suffolk"], "2017-03-03", "2017-02-06",
        [("1", "How many police stations have a front counter open to the public?", "Eight police stations have a front counter open to the public."),
         ("2", "What are the opening hours of the Ipswich front counter?", "The Ipswich front counter is open from 8am to 8pm every day.")],
        "disclosed", letterhead="Suffolk Constabulary - Freedom of Information",
    ),
    Shape(
        "request-after-response-heading",
        """11th November 2020

FOI Request Reference No: FOI 003390/20

Thank you for your email of 20/10/2020 which was received by Norfolk Constabulary and has been handled under the Freedom of Information Act 2000.

## In Response:

Your request read as follows:
1. How many officers hold a licence to fly the force's drones?
2. How many hours did the drones fly in 2019?

Answers
1. Fourteen officers hold a remote pilot licence.
2. The drones flew for 612 hours in 2019.

""" + REVIEW,
        "003390/20", ["Norfolk"], "2020-11-11", "2020-10-20",
        [("1", "How many officers hold a licence to fly the force's drones?", "Fourteen officers hold a remote pilot licence."),
         ("2", "How many hours did the drones fly in 2019?", "The drones flew for 612 hours in 2019.")],
        "disclosed",
    ),
    Shape(
        "inline-response-dash",
        """Information Rights Unit, Police Headquarters, Martlesham Heath, Ipswich IP5 3QS Tel 01473 613500 27.04.15

FOI Request Reference No: FOI 001105-15

Your request for information was received by Suffolk Constabulary on 30/03/2015.

Request

How many officers were assaulted while on duty in 2014?

Response - Suffolk Constabulary recorded 187 assaults on officers while on duty in 2014.

""" + REVIEW,
        "001105/15", ["Suffolk"], "2015-04-27", "2015-03-30",
        [("1", "How many officers were assaulted while on duty in 2014?",
          "Suffolk Constabulary recorded 187 assaults on officers while on duty in 2014.")],
        "disclosed", letterhead="Suffolk Constabulary - Freedom of Information",
    ),
    Shape(
        "reasons-for-decision-cost",
        """4th December 2018

FOI Request Reference No: FOI 005512/18

I write about your request for information, received by Norfolk Constabulary on the 2nd November 2018 in which you sought access to the following information:

1. For every burglary reported in 2017, what was stolen?
2. For each of those burglaries, was anyone arrested?

## REASONS FOR DECISION

To answer your request every burglary report would have to be read by hand. We estimate this would take more than 18 hours, which is in excess of the appropriate limit of GBP 450, and so we are not obliged to comply with it. You may wish to narrow your request to a single month.

""" + REVIEW,
        "005512/18", ["Norfolk"], "2018-12-04", "2018-11-02",
        [("1", "For every burglary reported in 2017, what was stolen?", None),
         ("2", "For each of those burglaries, was anyone arrested?", None)],
        "refused", exemptions=["s12"],
    ),
    Shape(
        "questions-inside-response",
        """29/11/2016

FOI Request Reference No: FOI 004417/16

Thank you for your request, received by Norfolk Constabulary on 01/11/2016. Please find our answers to each part of it below.

## RESPONSE

1. How many fixed penalty notices for littering were issued in 2015?
The force issued 58 fixed penalty notices for littering in 2015.
2. How many of those were paid?
41 were paid within the time allowed.

""" + REVIEW,
        "004417/16", ["Norfolk"], "2016-11-29", "2016-11-01",
        [("1", "How many fixed penalty notices for littering were issued in 2015?", "The force issued 58 fixed penalty notices for littering in 2015."),
         ("2", "How many of those were paid?", "41 were paid within the time allowed.")],
        "disclosed",
    ),
    Shape(
        "answer-labels-a1",
        """7th July 2022

FOI Request Reference No: FOI 002876/22

I write about your request for information, received by the Norfolk and Suffolk Constabularies on the 9th June 2022 in which you sought access to the following information:

1 How many electric vehicles are in the fleet?
2 How many charging points are installed at police stations?
3 What is the planned date to replace the diesel fleet?

## Response to your Request

Having searched their records, Norfolk and Suffolk Constabularies have located the following information as relevant to your request.

A1 Norfolk: 31. Suffolk: 24.
A2 There are 46 charging points across both forces.
A3 No date has been set, so no information is held.

""" + REVIEW,
        "002876/22", ["Norfolk", "Suffolk"], "2022-07-07", "2022-06-09",
        [("1", "How many electric vehicles are in the fleet?", "Norfolk: 31. Suffolk: 24."),
         ("2", "How many charging points are installed at police stations?", "There are 46 charging points across both forces."),
         ("3", "What is the planned date to replace the diesel fleet?", "No date has been set, so no information is held.")],
        "partially_disclosed",
    ),
    Shape(
        "answer-n-labels-not-recorded",
        """16 September 2021

FOI Request Reference No: FOI 004001-21

I write about your request for information, received by Suffolk Constabulary on 19 August 2021 in which you sought access to the following information:

"1) How many reports of dogs left in hot cars were made in 2020?
2) How many dogs were removed from cars by officers?"

## Response to your Request

Answer 1: This is not recorded in a way that can be searched.
Answer 2: The force does not record this.

""" + REVIEW,
        "004001/21", ["Suffolk"], "2021-09-16", "2021-08-19",
        [("1", "How many reports of dogs left in hot cars were made in 2020?", "This is not recorded in a way that can be searched."),
         ("2", "How many dogs were removed from cars by officers?", "The force does not record this.")],
        "not_held", letterhead="Suffolk Constabulary - Freedom of Information",
    ),
    Shape(
        "unlabelled-answers-in-order",
        """21st April 2017

FOI Request Reference No: FOI 001240/17

I write about your request for information, received by Norfolk Constabulary on the 23rd March 2017 in which you sought access to the following information:

1. How many speed awareness courses were attended in 2016?
2. How much of the course fee does the force receive?

## Response to your Request

Having searched its records, Norfolk Constabulary has located the following information as relevant to your request.

21,944 courses were attended in 2016.

The force receives 35 pounds of each course fee to cover its costs.

""" + REVIEW,
        "001240/17", ["Norfolk"], "2017-04-21", "2017-03-23",
        [("1", "How many speed awareness courses were attended in 2016?", "21,944 courses were attended in 2016."),
         ("2", "How much of the course fee does the force receive?", "The force receives 35 pounds of each course fee to cover its costs.")],
        "disclosed",
    ),
    Shape(
        "ncnd-one-question",
        """12th February 2024

FOI Request Reference No: FOI 000388/24

I write about your request for information, received by Norfolk Constabulary on the 15th January 2024 in which you sought access to the following information:

1. How many covert vehicles does the force own?
2. How many marked cars does the force own?

## Response to your Request

Q1 Norfolk Constabulary can neither confirm nor deny that it holds information about covert vehicles, as the duty to confirm or deny does not apply by virtue of Section 31(3) of the Act.
Q2 The force owns 318 marked cars.

""" + REVIEW,
        "000388/24", ["Norfolk"], "2024-02-12", "2024-01-15",
        [("1", "How many covert vehicles does the force own?",
          "Norfolk Constabulary can neither confirm nor deny that it holds information about covert vehicles, as the duty "
          "to confirm or deny does not apply by virtue of Section 31(3) of the Act."),
         ("2", "How many marked cars does the force own?", "The force owns 318 marked cars.")],
        "partially_disclosed", exemptions=["s31(3)"],
    ),
    Shape(
        "answered-in-attachment",
        """3rd March 2023

FOI Request Reference No: FOI 000901/23

I write about your request for information, received by the Norfolk and Suffolk Constabularies on the 6th February 2023 in which you sought access to the following information:

1. Please provide the number of recorded shoplifting offences by month for 2022.
2. Please provide the same figures broken down by district.

Norfolk and Suffolk Constabularies hold information relevant to your request, set out below.

## Response to your Request

Q1 Please see the attached spreadsheet, tab one.
Q2 Please see the attached spreadsheet, tab two.

""" + REVIEW,
        "000901/23", ["Norfolk", "Suffolk"], "2023-03-03", "2023-02-06",
        [("1", "Please provide the number of recorded shoplifting offences by month for 2022.", "Please see the attached spreadsheet, tab one."),
         ("2", "Please provide the same figures broken down by district.", "Please see the attached spreadsheet, tab two.")],
        "disclosed",
    ),
    Shape(
        "costs-limit-words",
        """19 June 2019

FOI Request Reference No: FOI 002655-19

I write about your request for information, received by Suffolk Constabulary on 22 May 2019 in which you sought access to the following information:

"Copies of every email sent by the Chief Constable that mentions the word budget."

## Response to your Request

Locating and reviewing these emails would go beyond the costs limit set for requests, so this part of the Act allows us to decline it. As advice, you may wish to ask for a shorter period.

""" + REVIEW,
        "002655/19", ["Suffolk"], "2019-06-19", "2019-05-22",
        [("1", "Copies of every email sent by the Chief Constable that mentions the word budget.",
          "Locating and reviewing these emails would go beyond the costs limit set for requests, so this part of the Act "
          "allows us to decline it. As advice, you may wish to ask for a shorter period.")],
        "refused", exemptions=["s12"], letterhead="Suffolk Constabulary - Freedom of Information",
    ),
    Shape(
        "refusal-notice-for-question",
        """30th August 2022

FOI Request Reference No: FOI 003740/22

I write about your request for information, received by Norfolk Constabulary on the 2nd August 2022 in which you sought access to the following information:

1. How many officers were dismissed in 2021?
2. What were the names of the officers dismissed?

## Response to your Request

Q1 Six officers were dismissed in 2021.
Q2 This letter serves as a Refusal Notice for question 2. The names are personal data and are exempt under Section 40(2) of the Act.

""" + REVIEW,
        "003740/22", ["Norfolk"], "2022-08-30", "2022-08-02",
        [("1", "How many officers were dismissed in 2021?", "Six officers were dismissed in 2021."),
         ("2", "What were the names of the officers dismissed?",
          "This letter serves as a Refusal Notice for question 2. The names are personal data and are exempt under Section 40(2) of the Act.")],
        "partially_disclosed", exemptions=["s40(2)"],
    ),
    Shape(
        "other-force-reference",
        """Our Ref: FOI 077/19
Date: 14.05.19

Dear Requester

Your request for information was received by Essex Police on 16/04/2019. The Freedom of Information Act received royal assent on 30 November 2000.

You asked: How many speed cameras are switched on at any one time?

## Our Response

No record is kept of how many cameras are switched on at any one time.

""" + REVIEW,
        None, ["Essex"], "2019-05-14", "2019-04-16",
        [("1", "How many speed cameras are switched on at any one time?", "No record is kept of how many cameras are switched on at any one time.")],
        "not_held", letterhead="Essex Police - Freedom of Information",
    ),
    Shape(
        "no-year-received",
        """10th October 2016

FOI Request Reference No: FOI 003977/16

I write about your request for information, received by Norfolk Constabulary on the 12th September in which you sought access to the following information:

How many bicycles were reported stolen in Norwich in 2015?

## Our Response

1,102 bicycles were reported stolen in Norwich in 2015.

""" + REVIEW,
        "003977/16", ["Norfolk"], "2016-10-10", None,
        [("1", "How many bicycles were reported stolen in Norwich in 2015?", "1,102 bicycles were reported stolen in Norwich in 2015.")],
        "disclosed",
    ),
    Shape(
        "run-together-lower-case",
        """8 March 2021

FOI Request Reference No: FOI 000944-21

I write about your request for information, received by Suffolk Constabulary on 9 February 2021 in which you sought access to the following information:

"For each sergeant promoted in 2020 please give 1 gender 2 ethnicity 3 years served before promotion"

## Response to your Request

1. 14 were men and 9 were women.
2. 21 described themselves as White British and 2 did not state an ethnicity.
3. Between four and nineteen years, with a median of eight.

""" + REVIEW,
        "000944/21", ["Suffolk"], "2021-03-08", "2021-02-09",
        [("1", "gender", "14 were men and 9 were women."),
         ("2", "ethnicity", "21 described themselves as White British and 2 did not state an ethnicity."),
         ("3", "years served before promotion", "Between four and nineteen years, with a median of eight.")],
        "disclosed", letterhead="Suffolk Constabulary - Freedom of Information",
    ),
    Shape(
        "question-labels-repeated-text",
        """17th January 2019

FOI Request Reference No: FOI 000130/19

I write about your request for information, received by Norfolk Constabulary on the 18th December 2018 in which you asked:

1. How many rural crime officers does the force employ?
2. How many thefts of farm machinery were reported in 2018?

## Our Response

Question 1 How many rural crime officers does the force employ?
The force employs nine dedicated rural crime officers.
Question 2 How many thefts of farm machinery were reported in 2018?
There were 77 reports of farm machinery theft in 2018.

""" + REVIEW,
        "000130/19", ["Norfolk"], "2019-01-17", "2018-12-18",
        [("1", "How many rural crime officers does the force employ?", "The force employs nine dedicated rural crime officers."),
         ("2", "How many thefts of farm machinery were reported in 2018?", "There were 77 reports of farm machinery theft in 2018.")],
        "disclosed",
    ),
    Shape(
        "o-bullets-whole-not-held",
        """5th September 2017

FOI Request Reference No: FOI 003311/17

I write about your request for information, received by Norfolk Constabulary on the 8th August 2017 in which you sought access to the following information:

For a study of facial recognition, my questions are:
o Has the force trialled live facial recognition?
o What did any trial cost?
o Which company supplied the software?

## Response to your Request

Following a search of our systems, no information is held relevant to any part of your request, as the force has not used this technology.

""" + REVIEW,
        "003311/17", ["Norfolk"], "2017-09-05", "2017-08-08",
        [("1", "Has the force trialled live facial recognition?", None),
         ("2", "What did any trial cost?", None),
         ("3", "Which company supplied the software?", None)],
        "not_held",
    ),
    Shape(
        "ncnd-one-of-three-brackets",
        """14 November 2022

FOI Request Reference No: FOI 005020-22

I write about your request for information, received by Suffolk Constabulary on 17 October 2022 in which you sought access to the following information:

1) How many officers are trained to use firearms?
2) Does the force use any informants under 18?
3) How many firearms incidents were attended in 2021?

## RESPONSE

1) 96 officers are authorised firearms officers.
2) Suffolk Constabulary can neither confirm nor deny whether it holds this information by virtue of Sections 23(5) and 31(3) of the Act.
3) Armed officers attended 302 incidents in 2021.

""" + REVIEW,
        "005020/22", ["Suffolk"], "2022-11-14", "2022-10-17",
        [("1", "How many officers are trained to use firearms?", "96 officers are authorised firearms officers."),
         ("2", "Does the force use any informants under 18?",
          "Suffolk Constabulary can neither confirm nor deny whether it holds this information by virtue of Sections 23(5) and 31(3) of the Act."),
         ("3", "How many firearms incidents were attended in 2021?", "Armed officers attended 302 incidents in 2021.")],
        "partially_disclosed", exemptions=["s23(5)", "s31(3)"], letterhead="Suffolk Constabulary - Freedom of Information",
    ),
    Shape(
        "no-heading-a-labels",
        """26th June 2023

FOI Request Reference No: FOI 002290/23

I write about your request for information, received by Norfolk Constabulary on the 29th May 2023. You asked:

1. How many vehicles were seized for having no insurance in 2022?
2. How many of those vehicles were crushed?

A1. 1,874 vehicles were seized for having no insurance in 2022.
A2. 212 of the vehicles were crushed.

""" + REVIEW,
        "002290/23", ["Norfolk"], "2023-06-26", "2023-05-29",
        [("1", "How many vehicles were seized for having no insurance in 2022?", "1,874 vehicles were seized for having no insurance in 2022."),
         ("2", "How many of those vehicles were crushed?", "212 of the vehicles were crushed.")],
        "disclosed",
    ),
    Shape(
        "every-item-one-unlabelled-answers",
        """20 December 2018

FOI Request Reference No: FOI 006113-18

I write about your request for information, received by Suffolk Constabulary on 22 November 2018 in which you sought access to the following information:

1) How many PCSOs were employed on 1 November 2018?
1) How many PCSOs left the force during 2017?
1) How many special constables were employed on 1 November 2018?

## Response to your Request

There were 81 PCSOs employed on 1 November 2018.

Twelve PCSOs left the force during 2017.

There were 203 special constables on that date.

""" + REVIEW,
        "006113/18", ["Suffolk"], "2018-12-20", "2018-11-22",
        [("1", "How many PCSOs were employed on 1 November 2018?", "There were 81 PCSOs employed on 1 November 2018."),
         ("2", "How many PCSOs left the force during 2017?", "Twelve PCSOs left the force during 2017."),
         ("3", "How many special constables were employed on 1 November 2018?", "There were 203 special constables on that date.")],
        "disclosed", letterhead="Suffolk Constabulary - Freedom of Information",
    ),
    Shape(
        "decision-heading-hours",
        """9th October 2020

FOI Request Reference No: FOI 004482/20

I write about your request for information, received by the Norfolk and Suffolk Constabularies on the 11th September 2020 in which you sought access to the following information:

* How many domestic abuse reports mentioned alcohol in 2019?
* How many of those reports led to an arrest?
* How many involved a repeat victim?

## Decision

Alcohol is not a searchable field, so each report would have to be read. With over 20,000 reports this would take more than 18 hours, and we are therefore not required to answer the request.

""" + REVIEW,
        "004482/20", ["Norfolk", "Suffolk"], "2020-10-09", "2020-09-11",
        [("1", "How many domestic abuse reports mentioned alcohol in 2019?", None),
         ("2", "How many of those reports led to an arrest?", None),
         ("3", "How many involved a repeat victim?", None)],
        "refused", exemptions=["s12"],
    ),
    Shape(
        "numeric-dates-phone-line",
        """Freedom of Information, Suffolk Constabulary, Martlesham Heath, Ipswich IP5 3QS Telephone 01473 613888 05/06/2018

FOI Request Reference No: FOI 002701-18

We received your request on 15/05/2018. Your request was as follows:

How many bus lane offences were passed to the force by councils in 2017?

## Our Response

The force does not record offences passed to it by councils, so no information is held.

""" + REVIEW,
        "002701/18", ["Suffolk"], "2018-06-05", "2018-05-15",
        [("1", "How many bus lane offences were passed to the force by councils in 2017?",
          "The force does not record offences passed to it by councils, so no information is held.")],
        "not_held", letterhead="Suffolk Constabulary - Freedom of Information",
    ),
    Shape(
        "mixed-sub-questions",
        """2nd February 2021

FOI Request Reference No: FOI 000287/21

I write about your request for information, received by Norfolk Constabulary on the 5th January 2021, and which sought access to the following information:

1a. How many noise complaints were made in 2020?
1b. How many were made in 2019?
2. How many led to a warning being issued?

## Response to your Request

Having searched its records, Norfolk Constabulary has located the following information as relevant to your request.

Q1a 4,118 noise complaints were made in 2020.
Q1b 3,560 were made in 2019.
Q2 Warnings are not recorded separately, so this information is not held.

""" + REVIEW,
        "000287/21", ["Norfolk"], "2021-02-02", "2021-01-05",
        [("1a", "How many noise complaints were made in 2020?", "4,118 noise complaints were made in 2020."),
         ("1b", "How many were made in 2019?", "3,560 were made in 2019."),
         ("2", "How many led to a warning being issued?", "Warnings are not recorded separately, so this information is not held.")],
        "partially_disclosed",
    ),
    Shape(
        "years-inside-an-item",
        """15th August 2019

FOI Request Reference No: FOI 003604/19

I write about your request for information, received by Norfolk Constabulary on the 18th July 2019 in which you sought access to the following information:

1. How many collisions were recorded on the A47 in each of these years:
2016
2017
2018
2. How many of the collisions involved a cyclist?

## Response to your Request

Having searched its records, Norfolk Constabulary has located the following information as relevant to your request.

Q1 2016: 212. 2017: 198. 2018: 240.
Q2 This information is not captured on our systems.

""" + REVIEW,
        "003604/19", ["Norfolk"], "2019-08-15", "2019-07-18",
        [("1", "How many collisions were recorded on the A47 in each of these years:\n2016\n2017\n2018", "2016: 212. 2017: 198. 2018: 240."),
         ("2", "How many of the collisions involved a cyclist?", "This information is not captured on our systems.")],
        "partially_disclosed",
    ),
    Shape(
        "other-force-our-ref",
        """Freedom of Information Unit
Our Ref: 008647/16
Date: 12 December 2016

Dear Sir or Madam

Thank you for your request, which Kent Police received on 14/11/2016. This follows our earlier response FOI 001122/15.

You asked:
How many police horses does the force keep?

## Response

The force keeps eleven police horses.

""" + REVIEW,
        "008647/16", ["Kent"], "2016-12-12", "2016-11-14",
        [("1", "How many police horses does the force keep?", "The force keeps eleven police horses.")],
        "disclosed", letterhead="Kent Police - Freedom of Information",
    ),
]
