/// The default preset dictionary for the `zlibDictionary` codec (about 4 KB).
///
/// Provenance: written for Dateline, not copied from any corpus. It holds the field names and
/// common values of the event payloads as `JSONEncoder` writes them (`StatementRecorded`,
/// `TensionObserved`, `ArticleIngested`, `ExtractionSuperseded`, keys sorted and unsorted),
/// plus words frequent in news about international relations. zlib finds matches anywhere in
/// the last 32 KB, and nearer matches are cheaper, so the most common strings come last.
///
/// Never edit this text in place for an existing log: the dictionary's Adler-32 is its id, so a
/// changed text is a new dictionary, stored next to the old one, and old rows stay readable.
let defaultDictionaryText = #"""
according to officials, said on Monday Tuesday Wednesday Thursday Friday Saturday Sunday. \#
The ministry said in a statement that the government would not accept any threat to its security. \#
The president told reporters that talks with the United States and the European Union \#
on the crisis would continue, while the foreign minister warned of consequences and sanctions. \#
Officials in Washington, Moscow, Kyiv, Beijing, Brussels, London, Paris, Berlin and Ankara \#
accused each other of escalation, troops near the border, military exercises, missile strikes, \#
negotiations, a ceasefire, humanitarian aid, refugees, the invasion, the conflict, the war, \#
diplomatic efforts and security guarantees. \#
{"cameo":"111","directed":true,"goldstein":-2,"issue":"NATO_ENLARGEMENT","level":null,"modality":"asserted","pair":"RUS|UKR","quad_class":3,"source":"RUS","target":"NATO","type":"DISAPPROVE","weight":1}\#
{"cameo":"0","goldstein":-4,"issue":"BORDER_TROOPS","modality":"feared","pair":"NATO|RUS","quad_class":4,"source":"USA","target":"RUS","type":"THREATEN","weight":0.5}\#
{"cameo":"036","goldstein":4,"modality":"denied","quad_class":1,"type":"MOBILIZE","issue":"STRIKE_WEAPONS","weight":0}\#
"type":"TENSION_STATEMENT","type":"ACCUSE","type":"REJECT","type":"CONSULT","type":"APPEAL","type":"DEMAND","type":"WARN","type":"PROTEST",\#
"pair":"EU|RUS","pair":"CHN|USA","pair":"RUS|USA","pair":"GBR|RUS","pair":"DEU|RUS","pair":"FRA|RUS","pair":"BLR|UKR","pair":"OSCE|RUS","pair":"UN|RUS",\#
"source":"UKR","target":"UKR","source":"NATO","target":"USA","source":"EU","source":"CHN","target":"CHN",\#
{"content_hash":"","date":"2022-01-27","id":"","source":"","text":"","title":"","url":"https://www.}\#
{"article":{"content_hash":"","date":"","id":"seed.txt","source":"Reuters","text":" date 2022-02-24 ","title":"","url":"https://"}}\#
{"article_hash":"","extractor_version":"dateline-extract/1","index":0,"tension":{}}\#
{"article_hash":"","extractor_version":"dateline-extract/1","previous_version":"dateline-extract/0"}\#
"cue":{"end":,"lemma":"say","start":,"surface":"said"}"cue":{"end":,"lemma":"tell","start":,"surface":"told"}\#
"lemma":"warn","surface":"warned","lemma":"add","surface":"added","lemma":"state","surface":"stated",\#
"lemma":"claim","lemma":"accuse","lemma":"deny","surface":"denied","lemma":"explain","surface":"explained",\#
"lemma":"insist","lemma":"note","lemma":"stress","lemma":"urge","lemma":"announce","surface":"announced",\#
"lemma":"conclude","surface":"concluded","lemma":"say","surface":"says","surface":"instructed","surface":"defined",\#
"role":"Minister of Foreign Affairs","role":"President","role":"Prime Minister","role":"Secretary of State",\#
"role":"Secretary General","role":"Spokesperson","role":"Minister of Defence","role":"Chancellor",\#
"entity":"actor:RUS","entity":"actor:UKR","entity":"actor:USA","entity":"actor:NATO","entity":"actor:EU",\#
"name":"Vladimir Putin","entity":"person:vladimir-putin","name":"Volodymyr Zelensky","entity":"person:volodymyr-zelensky",\#
"name":"Joe Biden","entity":"person:joe-biden","name":"Antony Blinken","entity":"person:antony-blinken",\#
"name":"Jens Stoltenberg","entity":"person:jens-stoltenberg","name":"Dmitry Peskov","entity":"person:dmitry-peskov",\#
"name":"Sergey Lavrov","entity":"person:sergey-lavrov","surface":"he","surface":"she","surface":"the minister",\#
"affiliation":"UKR","affiliation":"USA","affiliation":"NATO","affiliation":"EU","affiliation":"RUS",\#
"kind":"indirect","kind":"mixed","kind":"direct","polarity":"deny","polarity":"assert",\#
"fragments":[[,]],"continues":null,"continues":,"cue":null,"speaker":{"surface":null,"start":null,"end":null,\#
{"article_hash":"","extractor_version":"dateline-extract/1","index":,"statement":{"content":"","continues":null,\#
"cue":{"end":,"lemma":"say","start":,"surface":"said"},"date":"2022-01-","end":,"kind":"direct","polarity":"assert",\#
"speaker":{"affiliation":"RUS","end":,"entity":"person:","name":"","role":"","start":,"surface":""},"start":}}\#
{"article_hash":"","index":,"extractor_version":"dateline-extract/1","statement":{"kind":"indirect","content":"\#
","start":,"end":,"speaker":{"surface":"","start":,"end":,"name":"","entity":"person:","affiliation":"RUS","role":"\#
"},"cue":{"surface":"said","lemma":"say","start":,"end":},"date":"2022-01-","polarity":"assert"}}\#
 the United States and NATO, Russia and Ukraine, the West, the security of Europe, said that the \#
"extractor_version":"dateline-extract/1","article_hash":"
"""#
