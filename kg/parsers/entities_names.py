"""Word lists for entity extraction (public linguistic facts, not seed names).

* ``FIRST_NAMES``: common Danish given names (Danmarks Statistik's most frequent
  names), used to tell a person ("Flemming Hansen") from an organisation.
* ``ROLES``: job titles and offices that introduce a named person.
* ``STOP``: capitalised words that start sentences or name internal units and
  must never be taken as (the start of) an organisation name.
"""
from __future__ import annotations

FIRST_NAMES = frozenset("""
Aage Adam Agnete Albert Alberte Alexander Alfred Ali Alice Allan Amalie Amanda Anders Andreas Ane Anette Anita Ann Anna
Anne Annette Anni Annie Anton Arne Asger Astrid August Axel Benjamin Bent Bente Berit Birgit Birgitte Birte Bjarne
Bjørn Bo Bodil Brian Britt Bruno Bent Camilla Carina Carl Carsten Casper Cecilie Charlotte Christel Christian Christina
Christine Christoffer Claus Connie Dan Daniel David Dennis Dina Dogan Dorte Dorthe Ebbe Edith Egon Elias Elin Elisabeth
Elise Ella Ellen Elmer Else Emil Emilie Emma Erik Erling Esben Ester Eva Ewa Finn Flemming Frank Frederik Freja Frida
Frode Gitte Grete Grethe Gunnar Hans Hanne Harald Hassan Hediye Heidi Helen Helene Helga Helle Henning Henrik Henriette
Hilda Holger Ib Ida Inge Inger Ingrid Irene Jacob Jakob Jan Jane Janni Jannie Jens Jeppe Jesper Jette Jimmy Joachim
Johan Johanne Johannes John Johnny Jonas Jonathan Jørgen Jørn Josefine Julie Julius Jytte Kaj Karen Karin Karina Karl
Karsten Kasper Katrine Kenneth Kent Kim Kirsten Kirstine Kjeld Klaus Knud Kristian Kristina Kristine Lars Laura Lea
Leif Lena Lene Lasse Line Linda Lis Lisa Lise Lisbeth Lone Lotte Louise Lucas Lukas Magnus Maja Malene Malthe Marianne
Marie Mark Marlene Martin Mathias Mathilde Mette Michael Michala Mia Mikael Mikkel Mohammad Mohammed Mona Morten Nadia
Nanna Natasja Niels Niklas Nikolaj Nina Noah Ole Oliver Oscar Otto Ove Palle Patrick Peder Per Pernille Peter Philip
Pia Poul Preben Rasmus Rene René Resul Rikke Rita Robert Ronni Rune Ruth Sanne Sara Sarah Sebastian Signe Simon Sofie
Sofia Solveig Sonja Stefan Steen Stig Susanne Svend Søren Sune Tanja Thomas Tina Tobias Tom Tommy Tonny Tove Troels
Trine Ulla Ulrik Uffe Vagn Valdemar Vibeke Victor Viktor Villads Vivi William Willy Yvonne Åse Aase
""".split())

# role word (lower case) -> canonical role
ROLES = {
    "formand": "formand", "næstformand": "næstformand", "næstformænd": "næstformand",
    "udvalgsformand": "formand", "direktør": "direktør", "kommunaldirektør": "kommunaldirektør",
    "projektdirektør": "projektdirektør", "områdedirektør": "direktør", "fagdirektør": "direktør",
    "jobcenterchef": "jobcenterchef", "centerchef": "centerchef", "fagchef": "fagchef",
    "områdechef": "områdechef", "afdelingschef": "afdelingschef", "chef": "chef",
    "afdelingsleder": "afdelingsleder", "teamleder": "teamleder", "leder": "leder",
    "projektleder": "projektleder", "fagkoordinator": "fagkoordinator", "koordinator": "koordinator",
    "konsulent": "konsulent", "chefkonsulent": "chefkonsulent", "specialkonsulent": "specialkonsulent",
    "virksomhedskonsulent": "virksomhedskonsulent", "erhvervskonsulent": "erhvervskonsulent",
    "sekretær": "sekretær", "rådssekretær": "rådssekretær", "udvalgssekretær": "sekretær",
    "borgmester": "borgmester", "viceborgmester": "viceborgmester", "rådmand": "rådmand",
    "sagsbehandler": "sagsbehandler", "økonomichef": "økonomichef", "analytiker": "analytiker",
    "stabschef": "stabschef", "skoleleder": "skoleleder", "oplægsholder": "oplægsholder",
    "repræsentant": "repræsentant", "forperson": "formand", "næstforperson": "næstformand",
}

STOP = frozenset("""
Den Det De Der Dette Disse I Ifølge På Til Fra Med Som Og Men Hvis Når Efter Før Ved Over Under Af For Om Hele Alle
Både Endvidere Desuden Derudover Herudover Samtidig Blandt Eksternt Internt Målet Formålet Projektet Indsatsen Udvalget
Sagen Lov Loven Resumé Resume Sagsfremstilling Beslutning Indstilling Bilag Økonomi Punkt Sak Kapitel Status Et En Vi
Jobcentret Jobcenteret Jobcentrene Kommunen Kommunalbestyrelsen Kommunalbestyrelsens Direktionen Koncerndirektionen
Forvaltningen Administrationen Rådhuset Byrådet Regionsrådet Økonomiudvalget Borgerservice Virksomhedsservice Her
Hvor Hvordan Hvad Hvilke Hvem Derfor Dermed Således Endelig Også Nu Da Dog Mens Selvom Uanset Januar Februar Marts April
Maj Juni Juli August September Oktober November December Mandag Tirsdag Onsdag Torsdag Fredag Lørdag Søndag Danmark
EU Kilde Kunstværk Annoncering Gave Traktement Afbud Fraværende Mødested Mødedato Formand Formanden Næstformand
""".split())
