"""The paragraph filter: each reason category, and real reporting that must stay."""

from __future__ import annotations

import pytest

from newswire_cleaner.boilerplate import classify, default_rules, filter_paragraphs, parse_rules

# A paragraph of plain reporting to put debris in context.
BODY = [
    "Officials said on Tuesday that the bridge would reopen next month after repairs.",
    "The ministry said the work would cost about 12 million euros, paid from the budget.",
    "Residents have used a ferry since the bridge was damaged by floods in March.",
    "The mayor said the town had lost trade during the closure but would recover quickly.",
    "Engineers found cracks in two of the bridge's supports during an inspection.",
    "Traffic will be limited to cars for the first two weeks, the ministry said.",
    "A second bridge upstream is due to be inspected later in the year.",
    "Local businesses welcomed the news and said they hoped visitors would return.",
    "The ferry will keep running until the bridge is fully open.",
]  # fmt: skip

DEBRIS = {
    "counter": [
        "5960 views 41 reactions 24 comment(s)",
        "1.2K views",
        "Comments (12)",
        "Be the first to comment",
    ],
    "photo_credit": [
        "Photo: Reuters",
        "Photograph: Jane Doe/Getty Images",
        "Image credit: NASA",
        "Volodymyr Selenskyj: “No restrictions” © Sergei Chuzavkov/AFP via Getty Images",
        "A serviceman launches a drone in the Zaporizhzhia region, May 26, 2024. [Reuters]",
        "The president speaks at the summit in Washington. (Kevin Dietsch/Getty Images)",
        "Firefighters at the scene on Monday. (Photo by John Smith)",
        "AFP",
    ],
    "copyright": ["© 2024 Harbour Herald Media Group. All rights reserved."],
    "disclaimer": [
        "Disclaimer: The translations are mostly done through AI translator and might not be "
        "100% accurate.",
        "This post contains affiliate links. We may earn a commission if you buy something.",
    ],
    "newsletter": [
        "Unlock the US Election Countdown newsletter for free",
        "Sign up for our free newsletter and get the day's top stories delivered to your inbox.",
        "Newsletter",
        "Get the Morning Briefing by email and never miss our top stories",
    ],
    "donation": [
        "Dear reader,",
        "Support independent journalism today.",
        "Please consider supporting us with a monthly donation.",
    ],
    "paywall": ["Subscribe now to our digital edition for the full story."],
    "comment_form": [
        "Leave a Reply",
        "Your email address will not be published. Required fields are marked *",
        "Save my name, email, and website in this browser for the next time I comment.",
        "Comments are closed.",
    ],
    "video_promo": ["Bonus video:", "Video of the day", "Watch: the moment the bridge opened"],
    "related": ["Related Topics", "Read more: Bridge closed after floods", "Tags: floods, bridges"],
    "share": ["twitter", "Share this article", "Facebook Twitter WhatsApp Email"],
    "cookie": [
        "We use cookies to improve your browsing experience. By continuing you agree to our "
        "cookie policy.",
        "Accept all cookies",
    ],
    "ui": [
        "close",
        "Advertisement",
        "0:00",
        "12:34 / 45:10",
        "Skip to content",
        "BVINEWS.COM",
        "www.example.co.uk",
    ],
    "app_promo": ["Download our free news app for iOS and Android."],
}
DEBRIS_CASES = [(reason, line) for reason, lines in DEBRIS.items() for line in lines]

# Sentences of reporting that mention the same words as debris: they must stay.
REPORTING = [
    "Visit example.com for the full list of closures, the council said.",
    "The date: it was 2023 when the first ferry ran between the two towns.",
    'He made this statement during an interview given to "Reuters".',
    "The attack killed a British security adviser working for Reuters in Kramatorsk.",
    "Reuters reported last week that insurers had raised premiums for ships in the port.",
    "A local newsletter for shipping agents warned of further delays on Monday.",
    "A photo of the empty quays circulated widely online, the harbour master said.",
    "Photos of the destruction were shared widely on social media on Tuesday.",
    "The billionaire made a donation of 5 million dollars to the campaign, filings show.",
    "Ukraine hopes to become a member of the European Union within a decade.",
    "He announced the decision via Twitter late on Sunday.",
    "The lawsuit alleges copyright infringement by the software company.",
    "The regulator said more than 3,000 comments had been received on the proposal.",
    "Website traffic doubled after the announcement, the company said.",
    "More videos of the attack emerged on social media on Tuesday.",
    "The newspaper introduced a paywall in 2011 and now has a million subscribers.",
    "Millions follow him on X, where he posts several times a day.",
    "Smith is a reporter for the local paper who first broke the story in May.",
]  # fmt: skip


@pytest.mark.parametrize(("reason", "line"), DEBRIS_CASES)
def test_debris_is_classified(reason: str, line: str) -> None:
    assert classify(line) == reason


@pytest.mark.parametrize("line", REPORTING)
def test_reporting_is_not_classified(line: str) -> None:
    assert classify(line, at_edge=False) is None


@pytest.mark.parametrize("line", REPORTING)
def test_reporting_survives_the_filter_in_context(line: str) -> None:
    paragraphs = [*BODY, line, *BODY]
    result = filter_paragraphs(paragraphs)
    assert line in result.kept
    assert result.removed == []


@pytest.mark.parametrize(("reason", "line"), DEBRIS_CASES)
def test_debris_is_removed_in_context_with_its_reason(reason: str, line: str) -> None:
    paragraphs = [*BODY[:4], line, *BODY[4:]]
    result = filter_paragraphs(paragraphs)
    assert result.kept == BODY
    assert [(r.text, r.reason) for r in result.removed] == [(line, reason)]


def test_author_bio_only_near_the_edges() -> None:
    bio = "Andrew Thornebrooke is a national security correspondent for The Epoch Times."
    at_end = filter_paragraphs([*BODY, bio])
    assert at_end.kept == BODY
    assert at_end.removed[0].reason == "author_bio"
    in_middle = filter_paragraphs(BODY[:1] + BODY * 2 + [bio] + BODY * 2)
    assert bio in in_middle.kept


def test_title_duplicates_are_removed() -> None:
    title = "Bridge reopens after floods"
    result = filter_paragraphs([title, *BODY[:3], "Bridge Reopens After Floods!"], title=title)
    assert result.kept == BODY[:3]
    assert [r.reason for r in result.removed] == ["title", "title"]


def test_dear_reader_block_goes_with_its_appeal() -> None:
    appeal = (
        "Our access to web content is free, because we believe in equality in information. "
        "We ask for the support of our community of readers by financially supporting us."
    )
    result = filter_paragraphs([*BODY, "Dear reader,", appeal, "Video of the day"])
    assert result.kept == BODY
    assert [r.reason for r in result.removed] == ["donation", "donation", "video_promo"]


def test_appeal_block_stops_at_reporting() -> None:
    result = filter_paragraphs(["Dear reader,", "Please donate to keep us going.", *BODY])
    assert result.kept == BODY


def test_caption_above_credit_is_removed() -> None:
    caption = "Volodymyr Zelenskyj speaks into microphones"
    credit = "Volodymyr Selenskyj: “No restrictions” © Sergei Chuzavkov/AFP via Getty Images"
    result = filter_paragraphs([*BODY[:4], caption, credit, *BODY[4:]])
    assert result.kept == BODY
    assert [r.reason for r in result.removed] == ["caption", "photo_credit"]


def test_byline_and_timestamps_in_the_header() -> None:
    lines = [
        BODY[0],
        "The minister speaks at a press conference on Monday. (Kevin Dietsch/Getty Images)",
        "Andrew Thornebrooke",
        "Updated:",
        "0:00",
        *BODY[1:],
    ]
    result = filter_paragraphs(lines)
    assert result.kept == BODY
    assert [r.reason for r in result.removed] == ["photo_credit", "byline", "byline", "ui"]


def test_short_labels_at_the_edges() -> None:
    result = filter_paragraphs(["Menu item", "Top stories today", *BODY, "Follow", "Home Page"])
    assert result.kept == BODY
    assert {r.reason for r in result.removed} <= {"ui", "related", "share"}


def test_subheadings_in_the_middle_stay() -> None:
    lines = [*BODY[:4], "On the ground", *BODY[4:]]
    assert filter_paragraphs(lines).kept == lines


def test_edge_lines_with_digits_datelines_or_list_items_stay() -> None:
    tail = ["Harbour Street 12", "+44 20 7946 0000"]
    head = ["WASHINGTON —", "- Map and filter are sometimes faster"]
    result = filter_paragraphs([*head, *BODY, *tail])
    assert result.kept == [*head, *BODY, *tail]


def test_empty_and_whitespace_lines_are_ignored() -> None:
    result = filter_paragraphs(["", "   ", BODY[0], "\t"])
    assert result.kept == [BODY[0]]
    assert result.removed == []


def test_pathological_lines_do_not_hang() -> None:
    # Bounded quantifiers and the line-length cap keep these linear.
    lines = ["1 " * 5000, "views " * 3000, "(" * 10000, "© " + "a/" * 2000, "x" * 200_000]
    result = filter_paragraphs([*lines, *BODY])
    assert result.kept[-len(BODY) :] == BODY


def test_pattern_file_is_shipped_and_parses() -> None:
    reasons = {rule.reason for rule in default_rules()}
    assert {"counter", "photo_credit", "newsletter", "donation", "comment_form", "disclaimer",
            "video_promo", "related", "share", "author_bio", "byline", "cookie",
            "ui"} <= reasons  # fmt: skip


def test_parse_rules_rejects_bad_files() -> None:
    with pytest.raises(ValueError, match="before any"):
        parse_rules("orphan pattern\n")
    with pytest.raises(ValueError, match="bad section header"):
        parse_rules("[reason sideways]\nx\n")
    rules = parse_rules("# comment\n[label edge]\nfoo\nbar\n")
    assert len(rules) == 1 and rules[0].edge_only
    assert classify("BAR", rules=rules) == "label"
    assert classify("BAR", at_edge=False, rules=rules) is None


def test_whole_link_lines_at_the_end_and_in_runs_are_related_links() -> None:
    story = [
        "The council approved the budget on Tuesday after a four-hour debate, officials said.",
        "Opposition members said the plan cut too deeply into library funding this year.",
        "Council to vote on bus lanes next month",
        "Library hours cut at three branches",
        "New park opens in the east of the city",
        "The mayor will present the final figures to the regional authority in June.",
        "Ten things to do this weekend in the city",
    ]
    links = {story[2], story[3], story[4], story[6], "A link that is not in the text"}
    result = filter_paragraphs(story, link_texts=links)
    assert result.kept == [story[0], story[1], story[5]]
    reasons = {r.text: r.reason for r in result.removed}
    assert [reasons[line] for line in story[2:5]] == ["related"] * 3
    # The tail line is caught as a link even when it is too long to be a label.
    long_tail = [
        *story[:2],
        "Ten things to do this weekend in the city, from markets to open-air concerts",
    ]
    tail = filter_paragraphs(long_tail, link_texts={long_tail[2]})
    assert [(r.text, r.reason) for r in tail.removed] == [(long_tail[2], "related")]
    # Two linked lines inside the text are not a list: they stay.
    two = [story[0], story[2], story[3], story[5]]
    assert filter_paragraphs(two, link_texts=links).kept == two


def test_metadata_date_lines_at_the_edges() -> None:
    for line in ["News date : 04/21/2022 Category : Press Releases", "Date: May 4, 2023"]:
        assert classify(line) == "byline"
        assert filter_paragraphs([*BODY, line]).kept == BODY
        assert classify(line, at_edge=False) is None  # edge-only, like other bylines
