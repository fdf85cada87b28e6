"""Reading a roll CSV: what the secretary's file gives, row by row, and the files refused whole.

Expected values are written out by hand from the file in each case.
"""

from __future__ import annotations

import pytest

from interviews.decisions.roll_csv import RollRefused, RollSeat, Sitting, parse_roll

ACCOUNTS = {"rosa.delgado@local12.example.org": 41, "tom.reyes@local7.example.org": 42}
MAX = 10_000_000


def parse(data: str | bytes, sitting: Sitting | None = None):  # type: ignore[no-untyped-def]
    return parse_roll(data, accounts=ACCOUNTS, sitting=sitting, max_weight=MAX)


def accepted(data: str | bytes) -> list[tuple[int, str, int, str, int | None]]:
    return [(s.line, s.name, s.weight, s.reference, s.user_id) for s in parse(data).accepted]


def refused(data: str | bytes, sitting: Sitting | None = None) -> list[tuple[int, str]]:
    return [(r.line, r.reason) for r in parse(data, sitting).refused]


@pytest.mark.parametrize(
    "text, seats",
    [
        # the columns in any order and any case; weight blank means 1
        ("name\nAnn Lee\n", [(2, "Ann Lee", 1, "", None)]),
        ("Reference,NAME,Weight\nD-12,Ann Lee,3\n", [(2, "Ann Lee", 3, "D-12", None)]),
        ("name,weight\nAnn Lee,\n", [(2, "Ann Lee", 1, "", None)]),
        # thousands separators, and surrounding spaces
        ('name,weight\nLocal 12,"12,500"\n', [(2, "Local 12", 12_500, "", None)]),
        ('name,weight\nLocal 12," 1,250,000 "\n', [(2, "Local 12", 1_250_000, "", None)]),
        ("name,weight\nLocal 12,007\n", [(2, "Local 12", 7, "", None)]),
        # names and references keep single spaces; blank lines are skipped but counted
        (
            "name,reference\n  Ann   Lee ,  D 12 \n\n\nBo Chen,D-13\n",
            [(2, "Ann Lee", 1, "D 12", None), (5, "Bo Chen", 1, "D-13", None)],
        ),
        # a quoted name over two lines: the row's line is where it starts
        (
            'name,reference\n"Ann\nLee",D-1\nBo Chen,D-2\n',
            [(2, "Ann Lee", 1, "D-1", None), (4, "Bo Chen", 1, "D-2", None)],
        ),
        # an e-mail links the account, whatever its case
        (
            "name,email\nRosa Delgado, Rosa.Delgado@Local12.example.org \n",
            [(2, "Rosa Delgado", 1, "", 41)],
        ),
        # semicolons, as some spreadsheets write them; Windows and old Mac line ends
        ("name;weight\r\nAnn Lee;2\r\n", [(2, "Ann Lee", 2, "", None)]),
        ("name,weight\rAnn Lee,2\rBo Chen,3\r", [(2, "Ann Lee", 2, "", None), (3, "Bo Chen", 3, "", None)]),
        # an unnamed, empty trailing column (a spreadsheet's stray comma) is ignored
        ("name,weight,\nAnn Lee,2,\n", [(2, "Ann Lee", 2, "", None)]),
    ],
)
def test_rows_accepted(text, seats):
    assert accepted(text) == seats


@pytest.mark.parametrize(
    "text, reasons",
    [
        ("name,weight\n,3\n", [(2, "no name")]),
        ("name,weight\n   ,3\n", [(2, "no name")]),
        (
            "name,weight\nAnn Lee,twelve\n",
            [(2, "the weight “twelve” is not a number; write it in figures, such as 12 or 12,500")],
        ),
        ("name,weight\nAnn Lee,0\n", [(2, "the weight is 0; a weight is 1 or more")]),
        ("name,weight\nAnn Lee,-3\n", [(2, "the weight is -3; a weight is 1 or more")]),
        ("name,weight\nAnn Lee,1.5\n", [(2, "the weight “1.5” is not a whole number; write it such as 12 or 12,500")]),
        # "1.000" is a thousand in much of Europe and one elsewhere: refused, not guessed
        (
            "name,weight\nAnn Lee,1.000\n",
            [(2, "the weight “1.000” is not a whole number; write it such as 12 or 12,500")],
        ),
        (
            'name,weight\nAnn Lee,"12,50"\n',
            [(2, "the weight “12,50” is not a whole number; write it such as 12 or 12,500")],
        ),
        (
            "name,weight\nAnn Lee,20000001\n",
            [(2, "the weight 20,000,001 is more than 10,000,000; check the figure")],
        ),
        (
            "name,email\nAnn Lee,ann@nowhere.example.org\n",
            [(2, "no active account has the e-mail address ann@nowhere.example.org")],
        ),
        ("name,weight\nAnn Lee,2,extra\n", [(2, "there is a value in column 3, which has no heading")]),
        ("name,reference\n" + "A" * 121 + ",D-1\n", [(2, "the name is longer than 120 characters")]),
        # every fault of a row is named, so the file is fixed in one pass
        (
            "name,weight,email\nAnn Lee,0,ann@nowhere.example.org\n",
            [
                (
                    2,
                    "the weight is 0; a weight is 1 or more;"
                    " no active account has the e-mail address ann@nowhere.example.org",
                )
            ],
        ),
    ],
)
def test_rows_refused_with_their_line_and_reason(text, reasons):
    assert refused(text) == reasons


def test_duplicates_within_the_file_are_refused_after_their_first_line():
    text = (
        "name,reference,email\n"
        "Ann Lee,D-1,\n"  # 2
        "Bo Chen,D-2,rosa.delgado@local12.example.org\n"  # 3
        "ann lee,d-1,\n"  # 4: same name and reference, in another case
        "Cy Diaz,D-2,\n"  # 5: same reference as line 3
        "Di Eng,D-5,ROSA.DELGADO@local12.example.org\n"  # 6: same e-mail as line 3
        "Ed Fox,,\n"  # 7
        "Ed  Fox,,\n"  # 8: same name, neither has a reference
        "Ed Fox,D-8,\n"  # 9: same name, but a reference tells them apart
    )
    report = parse(text)
    assert [(s.line, s.name) for s in report.accepted] == [(2, "Ann Lee"), (3, "Bo Chen"), (7, "Ed Fox"), (9, "Ed Fox")]
    assert [(r.line, r.name, r.reason) for r in report.refused] == [
        (4, "ann lee", "the same person as line 2 (same name and reference)"),
        (5, "Cy Diaz", "the same person as line 3 (same reference D-2)"),
        (6, "Di Eng", "the same person as line 3 (same e-mail rosa.delgado@local12.example.org)"),
        (8, "Ed Fox", "the same person as line 7 (same name)"),
    ]


def test_rows_for_people_already_sitting_are_refused():
    sitting = Sitting.of(
        [("Ann Lee", "D-1", None), ("Pat Quinn", "D-9", None), ("Tom Reyes", "", 42), ("Gail Ho", "", None)]
    )
    text = (
        "name,reference,email\n"
        "Ann Lee,D-1,\n"  # same name and reference
        "Zed Young,d-9,\n"  # someone else given a sitting delegate's number
        "Thomas Reyes,,tom.reyes@local7.example.org\n"  # the account already sits
        "Gail Ho,,\n"  # same name, no reference
        "Gail Ho,D-40,\n"  # a reference tells her apart
    )
    assert refused(text, sitting) == [
        (2, "someone with reference D-1 already sits on the body"),
        (3, "someone with reference d-9 already sits on the body"),
        (4, "the account already sits on the body"),
        (5, "already sits on the body (same name)"),
    ]
    assert [s.line for s in parse(text, sitting).accepted] == [6]


def test_a_byte_order_mark_is_not_part_of_the_first_column():
    data = "\ufeffname,weight\nAnn Lee,2\n".encode()
    assert parse(data).accepted == (RollSeat(line=2, name="Ann Lee", weight=2),)
    assert accepted("\ufeffname,weight\nAnn Lee,2\n") == [(2, "Ann Lee", 2, "", None)]


def test_the_report_counts_the_weight_seated():
    report = parse('name,weight\nLocal 12,"12,500"\nLocal 7,800\nLocal 9,zero\n')
    assert (len(report.accepted), len(report.refused), report.total_weight) == (2, 1, 13_300)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "The file is empty."),
        ("  \n \n", "The file is empty."),
        (",,\n,,\n", "The file holds only empty cells."),
        ("name,weight\n", "The file has a header line but no members below it."),
        ("name,weight\n\n,\n", "The file has a header line but no members below it."),
        (
            "Name,Weight,Phone,Local No\nAnn Lee,2,555-0100,12\n",
            "Unknown columns “Phone”, “Local No”. The known columns are name, weight, reference, email;"
            " rename or remove the others.",
        ),
        (
            "name,delegate\nAnn Lee,12\n",
            "Unknown column “delegate”. The known columns are name, weight, reference, email;"
            " rename or remove the others.",
        ),
        (
            "Ann Lee,2,D-1\nBo Chen,3,D-2\n",
            "The first line must name the columns (name, weight, reference, email); it reads “Ann Lee, 2, D-1”."
            " Add a header line such as “name,weight,reference,email”.",
        ),
        (
            "weight,reference\n2,D-1\n",
            "The file has no name column. The known columns are name, weight, reference, email; name is required.",
        ),
        ("name,Name\nAnn,Ann\n", "The column name appears more than once in the first line."),
        (
            "name\nJosé\n".encode("latin-1"),
            "The file is not UTF-8 text. In the spreadsheet, save it as “CSV UTF-8 (comma delimited)”"
            " and upload that file.",
        ),
        (
            b"PK\x03\x04\x14\x00\x00\x00\x08\x00",  # the start of an .xlsx workbook
            "This is not a CSV file. In the spreadsheet, save it as “CSV UTF-8” and upload that file.",
        ),
    ],
)
def test_files_refused_whole(data, message):
    with pytest.raises(RollRefused) as refusal:
        parse(data)
    assert str(refusal.value) == message


def test_more_than_twenty_thousand_rows_is_refused_whole():
    rows = "".join(f"Delegate {n},1,D-{n}\n" for n in range(20_001))
    with pytest.raises(RollRefused, match=r"^The file has more than 20,000 rows\. Split it and import each part\.$"):
        parse("name,weight,reference\n" + rows)


def test_twenty_thousand_rows_are_read():
    rows = "".join(f"Delegate {n},1,D-{n}\n" for n in range(20_000))
    report = parse("name,weight,reference\n" + rows)
    assert (len(report.accepted), report.accepted[-1].line, report.accepted[-1].reference) == (
        20_000,
        20_001,
        "D-19999",
    )
