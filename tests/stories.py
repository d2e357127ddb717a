"""Long articles for the split/merge tests: several news stories, written for these tests.

Every person, place and quote here is invented. The stories share one fictional city so that
they read as one long article (a year in review), and two actors come back later under their
surname alone ("Helen Okafor" ... "Okafor"), as they would in real copy.

Each story is a list of beats; every beat has at least one direct quote in the house format
``“Words,” Name said.`` or ``“Words,” said Name.`` so that a fake model can answer from the
text. ``long_article`` interleaves the beats with quote-free background paragraphs.
"""

from __future__ import annotations

import random

HARBOUR = [
    [
        "Northam city council voted 31 to 24 on Tuesday night to close Harbour Road to private "
        "cars from the first of March, ending a two-year dispute over the busiest street in the "
        "old port district.",
        "Mayor Helen Okafor, who proposed the closure, said the air on Harbour Road had breached "
        "the national nitrogen dioxide limit on 140 days last year. “Clean air matters more "
        "than a few hundred parking spaces,” Okafor said.",
    ],
    [
        "David Brennan, who chairs the Harbour Traders’ Association, said his members had not "
        "been consulted on the timetable. “Our members will lose a third of their trade in the "
        "first winter,” Brennan said.",
        "Buses, taxis and delivery vans will still be allowed through before ten in the morning.",
    ],
]

SCHOOLS = [
    [
        "The city’s education department will close two primary schools in the east of Northam "
        "next summer and merge their pupils into a new building on Mill Lane, education "
        "director Priya Raman announced on Monday.",
        "“Half the classrooms at both schools are empty, and the roofs leak,” Raman said. "
        "“A new school is the better use of every pound we have.”",
    ],
    [
        "Clara Jensen, a spokeswoman for the teachers’ union, said staff learned of the plan "
        "from a press release. “Nobody asked the people who teach there,” said Clara Jensen.",
    ],
]

HOSPITAL = [
    [
        "The Northam and Westbury health board confirmed in April that the two cities’ "
        "maternity units will merge at Westbury General by the end of next year.",
        "Martin Feld, the board’s chief executive, said the merger would allow the unit to keep "
        "a consultant on the ward around the clock. “Mothers will be safer in one unit with "
        "full cover than in two units without it,” Feld said.",
    ],
    [
        "Amina Yusuf, a consultant obstetrician at Northam Royal, disagreed. “A forty-minute "
        "drive in labour is not safer for anyone,” Yusuf said.",
    ],
]

FLOODS = [
    [
        "Work on the new flood wall along the River Ness began in May after the wettest spring "
        "in the region since records started.",
        "Tomas Reyes, the engineer in charge for the Environment Agency, said the wall would "
        "protect 2,300 homes. “This is the biggest flood scheme the valley has ever had,” Reyes "
        "said.",
    ],
    [
        "Farmers downstream say the wall will push water onto their fields. “They are saving "
        "the town by drowning the farms,” said Gwen Ellis, whose family has farmed at Ness Bend "
        "for four generations.",
    ],
]

HARBOUR_AGAIN = [
    [
        "Six months after Harbour Road closed, the council published its first air readings. "
        "Nitrogen dioxide on the street had fallen by 38 per cent.",
        "Okafor said the council would consider reopening one lane in the evenings. “We will "
        "reopen one lane after six if the readings stay below the limit all winter,” Okafor "
        "said.",
    ],
    [
        "Brennan said footfall had not recovered. “Two of our members have already closed for "
        "good,” Brennan said.",
    ],
]

STADIUM = [
    [
        "Northam Rovers’ plan for a 20,000-seat stadium on the old gasworks site cleared its "
        "first planning hurdle in August.",
        "The club’s owner, Viktor Hale, said the ground would be finished in time for the 2029 "
        "season. “This club has waited sixty years for a home of its own,” Hale said.",
    ],
    [
        "Sunita Bose, who leads the Gasworks Residents’ Group, said the plans had no room for "
        "parking. “Every match day, twenty thousand fans will park in our streets,” Bose said.",
    ],
]

HOUSING = [
    [
        "Developer Lena Marsh won approval in October for 600 homes on the former Ropewalk "
        "mill site, a third of them for social rent.",
        "“Northam needs homes that nurses and bus drivers can afford,” Marsh said.",
    ],
    [
        "Councillor Owen Pryce, who voted against, said the site should have been kept for "
        "industry. “We are trading the city’s last large employment site for flats,” Pryce "
        "said.",
    ],
]

BUDGET = [
    [
        "Closing the year, finance director Rosa Delgado warned that the council faces a gap of "
        "£14 million in next year’s budget.",
        "“Every department will have to find savings, and some services will stop,” Delgado said.",
    ],
]

STORIES = [HARBOUR, SCHOOLS, HOSPITAL, FLOODS, HARBOUR_AGAIN, STADIUM, HOUSING, BUDGET]

_DISTRICTS = ["Eastgate", "Mill Lane", "Ness Bend", "the old port", "Ropewalk", "Westfield"]
_MEASURES = [
    ("households on the housing waiting list", "households"),
    ("bus journeys a week", "journeys"),
    ("pupils in primary schools", "pupils"),
    ("registered businesses", "businesses"),
    ("homes in the flood zone", "homes"),
    ("outpatient appointments a month", "appointments"),
]
_MONTHS = ["January", "March", "May", "July", "September", "November"]


def background(rng: random.Random) -> str:
    """A quote-free paragraph of city statistics, about 70 words."""
    measure, unit = rng.choice(_MEASURES)
    district = rng.choice(_DISTRICTS)
    return (
        f"Figures from the city statistics office put the number of {measure} in {district} "
        f"at {rng.randint(1_000, 90_000):,} in {rng.choice(_MONTHS)}, "
        f"{rng.choice(['up', 'down'])} {rng.randint(1, 19)} per cent on the year. "
        f"{district[0].upper() + district[1:]} accounts for {rng.randint(5, 30)} per cent of "
        f"the city’s {unit}, and the office expects the share to "
        f"{rng.choice(['rise', 'fall', 'hold steady'])} until {rng.randint(2027, 2031)}. "
        f"The next release is due in {rng.choice(_MONTHS)}."
    )


def beats() -> list[list[str]]:
    """Every beat of every story, in story order."""
    return [beat for story in STORIES for beat in story]


def long_article(words: int = 30_000, *, seed: int = 5) -> str:
    """The stories' beats spread evenly through ``words`` words of background (first and last
    paragraphs are story), paragraphs separated by blank lines."""
    rng = random.Random(seed)
    all_beats = beats()
    story_words = sum(len(p.split()) for beat in all_beats for p in beat)
    filler_words = max(0, words - story_words)
    per_gap = filler_words // (len(all_beats) - 1)
    paragraphs: list[str] = []
    for i, beat in enumerate(all_beats):
        paragraphs.extend(beat)
        written = per_gap if i == len(all_beats) - 1 else 0
        while written < per_gap:
            paragraph = background(rng)
            paragraphs.append(paragraph)
            written += len(paragraph.split())
    return "\n\n".join(paragraphs)


def three_stories() -> str:
    """A short article from three stories (about 350 tokens): long only under a small
    context_window, which keeps a recorded split run to a few short calls."""
    return "\n\n".join(p for story in (HARBOUR, HOSPITAL, HARBOUR_AGAIN) for b in story for p in b)
