"""A labelled set of request pairs for "asked before": the same request reworded, reordered or
for other years, and distractors on the same topic that ask something else.

    python -m tools.similar_pairs

Prints precision and recall of pipelines/similar.py at the threshold it uses, for pairs found
as it finds them (sharing a MinHash band), and of its score alone at each threshold. Every request here is written for this set.
"""

from __future__ import annotations

import json

# (first request, second request): each a list of questions.
SAME = [
    (["How many drones does the force own?"], ["Please provide the number of drones owned by the constabulary."]),
    (["How many drones did you own in 2021?"], ["How many drones did you own in 2023?"]),
    (["How many tasers were discharged in 2022?", "How many officers are trained to carry a taser?"],
     ["How many officers are trained to carry a taser?", "How many times was a taser discharged in 2022?"]),
    (["What was spent on overtime for officers in 2020/21?"], ["Please tell me the total overtime spend for police officers in 2022/23."]),
    (["How many stop and search encounters were recorded, broken down by ethnicity?"],
     ["Could you provide the number of stop and searches recorded by ethnicity of the person stopped?"]),
    (["How many reports of hate crime were made in 2019?"], ["I would like to know how many hate crime reports you received in 2024."]),
    (["How many speed cameras are in operation?", "How much revenue did speed cameras raise?"],
     ["How much revenue was raised by speed cameras?", "How many speed cameras are operational?"]),
    (["How many police dogs do you have?", "What breeds are they?"], ["Please state the number of police dogs and their breeds."]),
    (["How many missing person reports were received in 2022?"], ["Number of missing persons reports received in 2021."]),
    (["How many e-scooters were seized in 2023?"], ["How many e-scooters has the force seized during 2022?"]),
    (["How many ANPR cameras does the force operate?"], ["Please provide the number of ANPR cameras operated by your force."]),
    (["How many firearms licence applications were refused in 2021?"], ["How many applications for a firearms licence did you refuse in 2023?"]),
    (["How many body worn video cameras have been issued to officers?"], ["How many officers have been issued with body worn video cameras?"]),
    (["How many cyber crime offences were reported in 2020?"], ["Please tell me how many offences of cyber crime were reported to you in 2022."]),
    (["How many vehicles are in the police fleet?", "How many of them are electric?"],
     ["How many electric vehicles are in your fleet?", "How many vehicles does your fleet hold in total?"]),
    (["How many officers were dismissed for misconduct in 2022?"], ["Number of officers dismissed following misconduct proceedings in 2019."]),
    (["How many domestic abuse incidents were recorded in 2021?"], ["How many incidents of domestic abuse did you record in 2023?"]),
    (["What is the force's policy on the use of spit hoods?"], ["Please provide a copy of your policy on spit hoods."]),
    (["How many calls to 999 were abandoned in 2022?"], ["How many 999 calls were abandoned during 2021?"]),
    (["How many officers were assaulted on duty in 2020?"], ["How many assaults on police officers on duty were recorded in 2023?"]),
]
DIFFERENT = [
    (["How many drones does the force own?"], ["How much did the force spend on drones?"]),
    (["How many tasers were discharged in 2022?"], ["How many complaints were made about the use of tasers?"]),
    (["What was spent on overtime for officers in 2020/21?"], ["How many officers worked overtime in 2020/21?"]),
    (["How many stop and search encounters were recorded, broken down by ethnicity?"], ["What is the force's policy on stop and search?"]),
    (["How many reports of hate crime were made in 2019?"], ["How many hate crime reports led to a charge?"]),
    (["How many speed cameras are in operation?"], ["How many speeding fines were issued by mobile vans?"]),
    (["How many police dogs do you have?"], ["How much was spent on food for police dogs?"]),
    (["How many missing person reports were received in 2022?"], ["How many missing children were found within 24 hours?"]),
    (["How many e-scooters were seized in 2023?"], ["How many injuries involving e-scooters were recorded?"]),
    (["How many ANPR cameras does the force operate?"], ["How long is ANPR data retained?"]),
    (["How many firearms licence applications were refused in 2021?"], ["How long does a firearms licence application take to process?"]),
    (["How many body worn video cameras have been issued to officers?"], ["How much footage from body worn video is deleted each month?"]),
    (["How many cyber crime offences were reported in 2020?"], ["How many staff work in the cyber crime unit?"]),
    (["How many vehicles are in the police fleet?"], ["How many police vehicles were involved in collisions?"]),
    (["How many officers were dismissed for misconduct in 2022?"], ["How many officers were recruited in 2022?"]),
    (["How many domestic abuse incidents were recorded in 2021?"], ["How many domestic abuse protection orders were breached?"]),
    (["What is the force's policy on the use of spit hoods?"], ["How many times were spit hoods used on children?"]),
    (["How many calls to 999 were abandoned in 2022?"], ["How many calls to 101 were answered within ten minutes?"]),
    (["How many officers were assaulted on duty in 2020?"], ["How many officers were on long-term sick leave in 2020?"]),
    (["How many drones does the force own?"], ["How many tasers does the force own?"]),
    (["How many police dogs do you have?"], ["How many police horses do you have?"]),
    (["How many e-scooters were seized in 2023?"], ["How many cannabis farms were found in 2023?"]),
]


def scored(banded: bool = True) -> list[tuple[float, bool]]:
    """Each pair's score, and whether it is the same request. Banded, as the pipeline finds them: a pair whose
    MinHash shares no band is never compared, and scores 0."""
    from pipelines.similar import bands, score, signature

    out = []
    for pairs, same in ((SAME, True), (DIFFERENT, False)):
        for a, b in pairs:
            first, second = signature(a), signature(b)
            met = not banded or bool(set(bands(first)) & set(bands(second)))
            out.append((score(first, second) if met else 0.0, same))
    return out


def precision_recall(results: list[tuple[float, bool]], threshold: float) -> tuple[float, float]:
    found = [same for value, same in results if value >= threshold]
    true = sum(found)
    positives = sum(same for _, same in results)
    return (true / len(found) if found else 1.0), (true / positives if positives else 1.0)


def main() -> None:
    from pipelines.similar import THRESHOLD

    results = scored()
    sweep = {t: precision_recall(scored(banded=False), t) for t in range(40, 101, 5)}
    precision, recall = precision_recall(results, THRESHOLD)
    print(json.dumps({"pairs": len(results), "same": len(SAME), "different": len(DIFFERENT), "threshold": THRESHOLD,
                      "precision": round(precision, 3), "recall": round(recall, 3),
                      "sweep, every pair compared": {t: [round(p, 3), round(r, 3)] for t, (p, r) in sweep.items()},
                      "scores": {"same": sorted(round(v) for v, s in results if s),
                                 "different": sorted(round(v) for v, s in results if not s)}}, indent=1))


if __name__ == "__main__":
    main()
