"""Swedish demo content for a fresh Labb server (loaded by the ``seed_demo`` command).

Pure data: no models, no database. Everything is plain dicts, lists and strings, so the
loader decides how to create rows and tests can read it without Django.

Structure::

    DEMO_ORGANISATION: dict
        name: str, slug: str

    DEMO_CHALLENGES: list[dict]              # 3 challenges
        key: str                             # stable identifier, e.g. "samverkan-hallbarhet"
        question: str                        # "Hur kan vi …?"
        description: str
        tags: list[str]                      # Tag names
        status: str                          # Challenge.Status value
        visibility: str                      # Challenge.Visibility value
        workshops: list[dict]                # may be empty
            title: str
            question: str                    # the question on the board
            template: str                    # "success_obstacles" or "brainstorm"
            kind: str                        # Workshop.Kind value ("paper" / "live")
            phase: str                       # Workshop.Phase value
            date_offset_days: int            # workshop date = today + offset (negative = past)
            place: str
            columns: list[dict]              # in board order
                key: str                     # referred to by groups[].notes
                title: str
                prompt: str
                colour: str
            groups: list[dict]               # in board order
                name: str
                notes: dict[str, list[str]]  # column key -> note texts, in posting order
            themes: list[dict]               # examples already clustered by the facilitator
                name: str
                notes: list[str]             # note texts; each is unique within its workshop
            next_steps: list[dict]           # ActionItem rows
                title: str
                owner_name: str              # a role title, never a real person
                due_in_days: int             # due date = workshop date + offset
                status: str                  # ActionItem.Status value
                themes: list[str]            # theme names from ``themes`` above

Note texts are written to look like post-its typed in from paper: short, informal, some
with typos, and the same themes recur across groups in different words. That makes the
demo useful for trying out theme suggestions (``workshops.suggest``).
"""

from workshops.demo_large import LARGE_WORKSHOP

SUCCESS_OBSTACLES_COLUMNS = [
    {
        "key": "success",
        "title": "Framgångsfaktorer",
        "prompt": "Vad gör att det fungerar?",
        "colour": "green",
    },
    {
        "key": "obstacles",
        "title": "Hinder",
        "prompt": "Vad sätter käppar i hjulet?",
        "colour": "pink",
    },
]

DEMO_ORGANISATION = {
    "name": "Region Demoland",
    "slug": "region-demoland",
}

_SAMVERKAN_GROUPS = [
    {
        "name": "Grupp 1",
        "notes": {
            "success": [
                "Gemensam bild av vart vi ska om tio år",
                "Att kommunerna är med från start, inte bara på remiss i slutet",
                "Lära känna varandra innan vi behöver varandra",
                "Tydligt vem som äger frågan",
                "Börja litet – en pilot i en kommun och lär av den",
            ],
            "obstacles": [
                "Alla sitter i sina stuprör",
                "Pengarna räcker inte, projektmedlen tar slut efter två år",
                "Vi vet inte vad de andra myndigheterna har för uppdrag",
            ],
        },
    },
    {
        "name": "Grupp 2",
        "notes": {
            "success": [
                "tillit mellan org.",
                "Samma målbild i RUS:en och kommunernas översiktsplaner",
                "Avsatt tid i tjänsten för samverkan!!",
                "En samordnare som håller ihop trådarna",
                "Dela data öppet mellan kommun och region",
                "Kaffe. Seriöst, träffas på riktigt ibland",
            ],
            "obstacles": [
                "Stuprörstänk på departementsnivå smittar nedåt",
                "Resursbrist, särskilt i de små kommunerna",
                "Sekretess & GDPR gör att vi inte vågar dela info",
                "Hänger på några få eldsjälar",
            ],
        },
    },
    {
        "name": "Grupp 3",
        "notes": {
            "success": [
                "Modiga chefer som vågar prioritera bort annat",
                "Långsiktig finansiering, inte ettåriga projekt",
                "Utgå från invånarnas behov, inte från våra organisationer",
                "Regelbundna avstämningar, gärna digitalt så fler kan vara med",
                "Våga testa och misslyckas",
            ],
            "obstacles": [
                "Otydliga mandat – vem får egentligen bestämma?",
                "Projekttrötthet",
                "personberoende, slutar en så dör det",
                "Kort politisk horisont, val vart fjärde år",
                "Alla gör sitt bästa men helheten blir ändå spretig",
            ],
        },
    },
    {
        "name": "Grupp 4",
        "notes": {
            "success": [
                "Relationer före strukturer",
                "Gemensamma mål som faktiskt går att följa upp",
                "Politisk förankring tidigt i processen",
                "En kontaktperson på varje myndighet",
                "Lyssna in varandras förutsättningar",
                "Lägg prestigen åt sidan",
                "Bjud in civilsamhället och näringslivet, inte bara offentliga aktörer",
            ],
            "obstacles": [
                "Prestige mellan organisationerna",
                "Olika IT-system som inte pratar med varandra",
                "Oklar ansvarsfördelning region – länsstyrelse – kommun",
                "Inga resurser avsatta för uppföljning",
            ],
        },
    },
    {
        "name": "Grupp 5",
        "notes": {
            "success": [
                "Samverkansavtal med tydliga roller",
                "Långsiktighet!",
                "Ledare som ger oss mandat att testa nytt",
                "Dela lägesbilder och statistik med varandra",
                "Förstå varandras uppdrag – och begränsningar",
            ],
            "obstacles": [
                "Silos",
                "Finansieringen styr mer än behoven gör",
                "Regeringsuppdrag som kommer utan pengar",
                "Vi väntar på att någon annan ska ta initiativet",
                "Tidsbrist, allt annat går före",
                "Myndighetsspråk som ingen utanför förstår",
            ],
        },
    },
    {
        "name": "Grupp 6",
        "notes": {
            "success": [
                "En fråga som alla faktiskt brinner för",
                "Tillitsbaserad styrning istället för detaljstyrning",
                "Någon tar ledningen och driver på",
                "Gemensam målbild – vi ritar den tillsammans",
                "Uthållighet, förändring tar tid",
                "Hitta synergier med uppdrag vi redan har",
                "Att de som ska genomföra är med när vi planerar",
                "Nyfikenhet!",
            ],
            "obstacles": [
                "Stuprören!!",
                "mandatet är oklart för oss tjänstepersoner",
                "Ingen delar data mellan myndigheterna",
                "Rädsla för att göra fel",
                "Allt hänger på personkemin",
            ],
        },
    },
    {
        "name": "Grupp 7",
        "notes": {
            "success": [
                "Öppen dialog på alla nivåer, lokalt–regionalt–nationellt",
                "Tydliga uppdrag från ledningen",
                "Stabil finansering över flera år",
                "Erfarenhetsutbyte mellan kommunerna",
                "Modigt ledarskap",
                "Fira små framgångar längs vägen",
            ],
            "obstacles": [
                "Kortsiktiga projektpengar",
                "Organisatoriska gränser och revir",
                "Region och stat har olika målbilder",
                "Nyckelpersoner byts ut hela tiden",
                "Tajta tidsplaner, beslut på regional nivå tar tid",
                "Möten för mötenas skull",
                "Glesbygdens förutsättningar glöms bort",
            ],
        },
    },
    {
        "name": "Grupp 8",
        "notes": {
            "success": [
                "Förtroende som byggs över tid",
                "Gemensam lägesbild, ett delat datalager för länet",
                "Utgå från platsen och människorna som bor där",
                "Ledningens stöd hela vägen, även när det blåser",
                "Mod att avsluta det som inte funkar",
            ],
            "obstacles": [
                "Stuprörsorganisation",
                "Resurserna räcker inte till både drift och utveckling",
                "Otydligt uppdrag, vem ska göra vad??",
                "Hierarkisk kultur, gamla vanor",
                "Informationen fastnar hos cheferna",
                "Oklart syfte",
            ],
        },
    },
]

_NARA_VARD_NOTES = [
    "Vårdcentralen kommer till byn en dag i veckan",
    "Videobesök som funkar även med dålig uppkoppling",
    "Samma sjuksköterska varje gång, man slipper berätta allt igen",
    "Apoteksombud i lanthandeln",
    "Hemtjänst och distriktssköterska planerar ihop",
    "Invånarpanel som får testa nya tjänster innan de införs",
    "Digital hälsokontroll för dem som vill – fysisk för dem som inte vill",
    "Skjuts till vården som går att boka i samma app",
    "Att någon ringer upp efter utskrivning",
    "Träffpunkt för äldre med hälsosamtal och fika",
    "Kommun och region delar journalinformation (med samtycke!)",
    "Skolsköterskan som länk till familjerna",
    "Mobil röntgen/provtagning",
    "Ta med ungdomarna, de vet hur tekniken borde funka",
]

DEMO_CHALLENGES = [
    {
        "key": "samverkan-hallbarhet",
        "question": (
            "Hur kan vi få kommuner, region och statliga myndigheter i länet att driva "
            "hållbar utveckling tillsammans i stället för var för sig?"
        ),
        "description": (
            "Den regionala utvecklingsstrategin sätter mål som ingen organisation når på "
            "egen hand: klimatomställning, kompetensförsörjning, attraktiva livsmiljöer i "
            "hela länet. Kommunerna, regionen, länsstyrelsen och flera statliga myndigheter "
            "har var sina uppdrag och var sina budgetar, men invånarna möter helheten. "
            "Vi vill förstå vad som krävs för att samverkan ska bli vardag och inte ett "
            "projekt, och pröva några konkreta steg under året."
        ),
        "tags": ["Hållbar utveckling", "RUS", "Samverkan", "Agenda 2030"],
        "status": "testing",
        "visibility": "shared",
        "workshops": [
            LARGE_WORKSHOP,
            {
                "title": "Lärlabb hållbar utveckling – workshop 1",
                "question": "Vad krävs för att få det att hända?",
                "template": "success_obstacles",
                "kind": "paper",
                "phase": "next_steps",
                "date_offset_days": -14,
                "place": "Regionens hus, konferensrum Ådalen",
                "columns": SUCCESS_OBSTACLES_COLUMNS,
                "groups": _SAMVERKAN_GROUPS,
                "themes": [
                    {
                        "name": "Stuprör och organisatoriska gränser",
                        "notes": [
                            "Alla sitter i sina stuprör",
                            "Stuprörstänk på departementsnivå smittar nedåt",
                            "Silos",
                            "Stuprören!!",
                            "Organisatoriska gränser och revir",
                            "Stuprörsorganisation",
                        ],
                    },
                    {
                        "name": "Långsiktig finansiering",
                        "notes": [
                            "Pengarna räcker inte, projektmedlen tar slut efter två år",
                            "Långsiktig finansiering, inte ettåriga projekt",
                            "Finansieringen styr mer än behoven gör",
                            "Regeringsuppdrag som kommer utan pengar",
                            "Stabil finansering över flera år",
                            "Kortsiktiga projektpengar",
                        ],
                    },
                ],
                "next_steps": [
                    {
                        "title": "Kartlägga vilka samverkansgrupper som redan finns i länet",
                        "owner_name": "Regionens samordnare för hållbar utveckling",
                        "due_in_days": 30,
                        "status": "open",
                        "themes": ["Stuprör och organisatoriska gränser"],
                    },
                    {
                        "title": "Ta fram ett utkast till gemensam målbild inför RUS-forum",
                        "owner_name": "Länsstyrelsens enhetschef för samhällsutveckling",
                        "due_in_days": 60,
                        "status": "open",
                        "themes": [],
                    },
                    {
                        "title": "Utreda vilka data som kan delas mellan kommun och region",
                        "owner_name": "Kommunförbundets IT-strateg",
                        "due_in_days": 45,
                        "status": "open",
                        "themes": [],
                    },
                    {
                        "title": "Söka flerårig finansiering för en gemensam samordnarfunktion",
                        "owner_name": "Regionens utvecklingsdirektör",
                        "due_in_days": 90,
                        "status": "open",
                        "themes": ["Långsiktig finansiering"],
                    },
                    {
                        "title": "Skicka ut dokumentationen och boka workshop 2",
                        "owner_name": "Processledare",
                        "due_in_days": 7,
                        "status": "done",
                        "themes": [],
                    },
                ],
            },
        ],
    },
    {
        "key": "nara-vard-landsbygd",
        "question": (
            "Hur kan vi utveckla den nära vården tillsammans med invånarna på landsbygden?"
        ),
        "description": (
            "Allt fler vårdbehov ska mötas nära hemmet, men avstånden är långa och "
            "vårdcentralerna få. Region och kommuner vill utforma nya vård- och "
            "omsorgstjänster med invånare, patienter och personal – visualisera, "
            "prototypa och testa i liten skala innan något byggs stort."
        ),
        "tags": ["Nära vård", "Hälsa", "Tjänstedesign", "Landsbygd"],
        "status": "exploring",
        "visibility": "organisation",
        "workshops": [
            {
                "title": "Drömbilden: nära vård 2030",
                "question": "Hur ser den nära vården ut när den fungerar riktigt bra för dig?",
                "template": "brainstorm",
                "kind": "live",
                "phase": "cluster",
                "date_offset_days": -3,
                "place": "Bygdegården i Norrby",
                "columns": [
                    {
                        "key": "ideas",
                        "title": "Idéer",
                        "prompt": "En idé per lapp",
                        "colour": "yellow",
                    },
                ],
                "groups": [
                    {"name": "Alla deltagare", "notes": {"ideas": _NARA_VARD_NOTES}},
                ],
                "themes": [],
                "next_steps": [],
            },
        ],
    },
    {
        "key": "unga-kompetens",
        "question": "Hur kan vi göra det lättare för unga att hitta sommarjobb och praktik i länet?",
        "description": (
            "Arbetsgivare i länet har svårt att rekrytera, samtidigt som många unga flyttar "
            "för att de inte ser några vägar in. Vi vill utforska utmaningen tillsammans "
            "med unga, skolor och arbetsgivare innan vi bestämmer vad vi testar."
        ),
        "tags": ["Kompetensförsörjning", "Unga"],
        "status": "exploring",
        "visibility": "organisation",
        "workshops": [],
    },
]
