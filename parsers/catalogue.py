"""The Freedom of Information Act 2000 provisions that a letter can rely on: data, no code."""

LEGISLATION_URL = "https://www.legislation.gov.uk/ukpga/2000/36/section/{section}"

# section -> (name, kind). Part II exemptions, plus the two procedural refusals.
CATALOGUE: dict[str, tuple[str, str]] = {
    "12": ("Cost of compliance exceeds appropriate limit", "procedural"),
    "14": ("Vexatious or repeated requests", "procedural"),
    "21": ("Information accessible by other means", "absolute"),
    "22": ("Information intended for future publication", "qualified"),
    "22A": ("Research", "qualified"),
    "23": ("Information supplied by, or relating to, bodies dealing with security matters", "absolute"),
    "24": ("National security", "qualified"),
    "26": ("Defence", "qualified"),
    "27": ("International relations", "qualified"),
    "28": ("Relations within the United Kingdom", "qualified"),
    "29": ("The economy", "qualified"),
    "30": ("Investigations and proceedings", "qualified"),
    "31": ("Law enforcement", "qualified"),
    "32": ("Court records", "absolute"),
    "33": ("Audit functions", "qualified"),
    "34": ("Parliamentary privilege", "absolute"),
    "35": ("Formulation of government policy", "qualified"),
    "36": ("Prejudice to effective conduct of public affairs", "qualified"),
    "37": ("Communications with His Majesty and honours", "qualified"),
    "38": ("Health and safety", "qualified"),
    "39": ("Environmental information", "qualified"),
    "40": ("Personal information", "absolute"),
    "41": ("Information provided in confidence", "absolute"),
    "42": ("Legal professional privilege", "qualified"),
    "43": ("Commercial interests", "qualified"),
    "44": ("Prohibitions on disclosure", "absolute"),
}
