"""The catalogue search: how people write a procedure, ranked against how the catalogue names it.

A query is folded like the catalogue's `search_text` (`procedures.text.search_key`: no
diacritics, one spelling for i/y), the citizens' phrases of `SearchSynonym` are replaced by
the catalogue's words, and each procedure scores:

- for every query word, the trigram similarity of its closest word in the procedure's code
  and name, counted when above `SIMILAR` (so "khai sinnh" still finds "khai sinh"); a word
  that stands as written in some procedure of the catalogue is spelled right, and counts 1
  where it stands and nothing elsewhere (its similarity is never computed: that was the
  search's whole cost, every word against every procedure);
- one more when the whole query stands in the name or code as written;
- a half when the query names the procedure's field of work ("hộ tịch", "đất đai").

Procedures score > 0 or are left out; ties go to the more requested, then the shorter name.
PostgreSQL computes this with pg_trgm (`strict_word_similarity`, the `%>>` operator over a
trigram index) and unaccent for field names; elsewhere (SQLite) the same score is computed
in Python over the procedures in force, a catalogue of at most a few thousand rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.postgres.lookups import Unaccent
from django.db import connection
from django.db.models import Case, FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length, Lower

from procedures.models import Field, Procedure, SearchSynonym
from procedures.text import fold, search_key

# pg_trgm's default `strict_word_similarity_threshold`: a word of the query counts as found
# when its similarity to a word of the name is above it ("sinnh"/"sinh" 0.57, "dat"/"dac" 0.33).
SIMILAR = 0.5
WHOLE_QUERY_BONUS = 1.0
FIELD_BONUS = 0.5
_WORD = re.compile(r"[a-z0-9]+")
# Best score first; ties to the more requested, then the shorter name.
RANKED_ORDER = ("-search_rank", "-popularity", "name_length", "code")


@dataclass(frozen=True)
class SearchQuery:
    phrase: str  # the query as the catalogue would word it, folded
    words: tuple[str, ...]  # its words, split as pg_trgm splits them
    field_phrase: str  # the query folded as unaccent folds (for field names)


def search_query_parse(*, text: str) -> SearchQuery:
    """Fold `text` and replace the phrases people use by the catalogue's words."""
    phrase = search_key(text)
    synonyms = {
        search_key(p): search_key(m)
        for p, m in SearchSynonym.objects.values_list("phrase", "means")
    }
    if synonyms:
        pattern = re.compile(
            r"\b("
            + "|".join(re.escape(p) for p in sorted(synonyms, key=len, reverse=True))
            + r")\b"
        )
        phrase = " ".join(pattern.sub(lambda m: synonyms[m.group(1)], phrase).split())
    return SearchQuery(
        phrase=phrase, words=tuple(dict.fromkeys(_WORD.findall(phrase))), field_phrase=fold(text)
    )


def procedure_search(queryset: QuerySet[Procedure], *, text: str) -> QuerySet[Procedure]:
    """`queryset` narrowed to the procedures matching `text`, best first."""
    query = search_query_parse(text=text)
    if not query.words:
        return queryset
    if connection.vendor == "postgresql":
        return _ranked_in_postgresql(queryset, query)
    return _ranked_in_python(queryset, query)


def procedure_search_ids(queryset: QuerySet[Procedure], *, text: str) -> list[int]:
    """The ids of the procedures of `queryset` matching `text`, best first. On PostgreSQL the
    score is computed once per procedure and the matches (score > 0, which is what
    procedure_search's filter means) kept here, so the similarities are not computed again
    for a filter."""
    query = search_query_parse(text=text)
    if not query.words:
        return list(queryset.values_list("pk", flat=True))
    if connection.vendor != "postgresql":
        return list(_ranked_in_python(queryset, query).values_list("pk", flat=True))
    ranked = (
        queryset.annotate(
            search_rank=_score_postgresql(query, known=_known_words(query)),
            name_length=Length("name"),
        )
        .order_by(*RANKED_ORDER)
        .values_list("pk", "search_rank")
    )
    return [pk for pk, rank in ranked if rank > 0]


def _ranked_in_postgresql(queryset: QuerySet[Procedure], query: SearchQuery) -> QuerySet[Procedure]:
    known = _known_words(query)
    # Conditions on the procedure's own columns only, so the trigram index can answer them.
    found = reduce(
        or_,
        [
            Q(search_text__regex=_whole_word(w))
            if w in known
            else Q(search_text__trigram_strict_word_similar=w)
            for w in query.words
        ],
    )
    found |= Q(search_text__contains=query.phrase) | _in_field(query)
    return (
        queryset.filter(found)
        .annotate(search_rank=_score_postgresql(query, known=known), name_length=Length("name"))
        .order_by(*RANKED_ORDER)
    )


def _in_field(query: SearchQuery) -> Q:
    fields = Field.objects.annotate(folded=Unaccent(Lower("name"))).filter(
        folded__contains=query.field_phrase
    )
    return Q(field_id__in=fields.values("pk"))


def _whole_word(word: str) -> str:
    # Words are [a-z0-9]+ (_WORD): nothing to escape. \m and \M: PostgreSQL's word bounds.
    return rf"\m{word}\M"


def _known_words(query: SearchQuery) -> frozenset[str]:
    """The query's words that stand as written in some procedure of the catalogue (any
    version): they are spelled right, and matched as written; the others get the trigram
    similarity that forgives a typo ("sinnh"). Computing that similarity for every word
    against every procedure was the search's whole cost."""
    if not query.words:
        return frozenset()
    with connection.cursor() as cursor:
        table = Procedure._meta.db_table  # our model's table; the words are a parameter
        sql = f"SELECT w FROM unnest(%s::text[]) AS w WHERE EXISTS (SELECT 1 FROM {table} p WHERE p.search_text ~ ('\\m' || w || '\\M'))"  # noqa: S608, E501
        cursor.execute(sql, [list(query.words)])
        return frozenset(row[0] for row in cursor.fetchall())


def _score_postgresql(query: SearchQuery, *, known: frozenset[str]) -> Any:
    # Each word scored once per procedure, summed where above SIMILAR: a known word 1 when it
    # stands in the name, a word found nowhere its trigram similarity to the closest word.
    terms, params = [], []
    for word in query.words:
        if word in known:
            terms.append("(CASE WHEN procedures_procedure.search_text ~ %s THEN 1.0 ELSE 0.0 END)")
            params.append(_whole_word(word))
        else:
            terms.append("strict_word_similarity(%s, procedures_procedure.search_text)")
            params.append(word)
    # Only constant templates are joined into the SQL; the words are parameters.
    words_score = RawSQL(  # noqa: S611
        f"(SELECT coalesce(sum(s) FILTER (WHERE s > %s), 0) FROM unnest(ARRAY[{', '.join(terms)}]::float8[]) s)",  # noqa: S608, E501
        (SIMILAR, *params),
        output_field=FloatField(),
    )
    return (
        words_score
        + Case(
            When(search_text__contains=query.phrase, then=Value(WHOLE_QUERY_BONUS)),
            default=Value(0.0),
            output_field=FloatField(),
        )
        + Case(
            When(_in_field(query), then=Value(FIELD_BONUS)),
            default=Value(0.0),
            output_field=FloatField(),
        )
    )


def _ranked_in_python(queryset: QuerySet[Procedure], query: SearchQuery) -> QuerySet[Procedure]:
    scores: dict[int, float] = {}
    catalogue = {
        w
        for text in Procedure.objects.values_list("search_text", flat=True)
        for w in _WORD.findall(text)
    }
    known = frozenset(w for w in query.words if w in catalogue)
    for pk, text, field_name in queryset.values_list("pk", "search_text", "field__name"):
        score = procedure_search_score(query, search_text=text, field_name=field_name, known=known)
        if score > 0:
            scores[pk] = max(score, scores.get(pk, 0.0))
    ranked = Case(
        *(When(pk=pk, then=Value(score)) for pk, score in scores.items()),
        default=Value(0.0),
        output_field=FloatField(),
    )
    return (
        queryset.filter(pk__in=scores)
        .annotate(search_rank=ranked, name_length=Length("name"))
        .order_by(*RANKED_ORDER)
    )


def procedure_search_score(
    query: SearchQuery, *, search_text: str, field_name: str, known: frozenset[str] = frozenset()
) -> float:
    """The score PostgreSQL computes, in Python (trigrams as pg_trgm builds them)."""
    written = _WORD.findall(search_text)
    name_words = [_trigrams(word) for word in written]
    score = 0.0
    for word in query.words:
        if word in known:  # spelled right: found as written, or not at all
            score += 1.0 if word in written else 0.0
            continue
        grams = _trigrams(word)
        best = max((len(grams & other) / len(grams | other) for other in name_words), default=0)
        if best > SIMILAR:
            score += best
    if query.phrase in search_text:
        score += WHOLE_QUERY_BONUS
    if query.field_phrase in fold(field_name):
        score += FIELD_BONUS
    return score


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}
