"""The analyser: Korean through MeCab to lemmas of content morphemes, English through Snowball."""

from bot.resolver.analyzer import terms, terms_of_words


def test_korean_inflections_meet_at_one_lemma() -> None:
    # 튕김 / 튕겨 / 튕겨내는데 are one verb; the particles and endings fall away
    assert "튕기" in terms("로그인하면 튕김")
    assert "튕기" in terms("로그인하면 튕겨요")
    assert "튕기" in terms("자꾸 튕겨내는데 왜 그래요")
    assert terms("업로드하다가 용량 초과라고 뜨면서 끊겨요") == ["업로드", "용량", "초과", "뜨", "끊기"]


def test_fillers_and_light_verbs_are_not_terms() -> None:
    found = terms("그냥 진짜 좀 해요 있어요")
    assert found == []


def test_the_copula_read_as_a_surname_is_not_a_term() -> None:
    # MeCab tags the 임 of "뭐임" as a one-syllable person's name (NNP 인명): a term every "…임" text would share
    assert terms("코드 뭐임") == ["코드"]
    assert "임" not in terms("업로드 안 되는 이유 뭐임")


def test_meaningful_adverbs_stay() -> None:
    assert "이미" in terms("이미 있는 아이디로 가입하면")


def test_english_is_stemmed_and_stopwords_dropped() -> None:
    assert terms("the requests were timing out") == ["request", "time"]
    assert terms("signs up with an email that is taken") == ["sign", "email", "taken"]


def test_mixed_scripts_keep_their_order() -> None:
    assert terms("롤링 배포 중에 LB에서 bad gateway") == ["롤링", "배포", "lb", "bad", "gateway"]


def test_times_and_sizes_are_terms_but_lone_digits_are_not() -> None:
    assert terms("dies at exactly 60 s") == ["die", "exact", "60"]
    assert "1" not in terms("step 1 failed")


def test_words_already_cut_give_the_same_terms() -> None:
    assert terms_of_words(["업로드하다가", "용량", "초과"]) == terms("업로드하다가 용량 초과")


def test_odd_input_never_raises() -> None:
    for text in ("", "ㅋㅋㅋㅋ", "ㅠㅠ", "🙂🙂", "\u200b", "가" * 5000, "a" * 5000):
        terms(text)


def test_a_word_is_cut_by_its_text_not_by_what_was_asked_before() -> None:
    # 중 alone is a noun ("middle"); after 배포 it is the dependent noun of "during". A cache by word kept the
    # first cut it saw, so the second question's terms depended on the first.
    assert "중" in terms("중에")
    assert terms("롤링 배포 중에 LB에서 bad gateway") == ["롤링", "배포", "lb", "bad", "gateway"]


def test_an_amount_glued_to_its_unit_gives_the_unit() -> None:
    # "200MB" was one word no text knows; its unit is what tells a size limit from a time limit.
    assert "mb" in terms("upload a 200MB video")
    assert "kb" in terms("a 20KB query string")


def test_a_counter_after_a_number_is_its_unit() -> None:
    # MeCab reads 분 cut from "30분" as 붓다 (to pour).
    found = terms("30분 점검 공지")
    assert "붓" not in found and "30" in found and "점검" in found


def test_a_conditional_header_is_one_term() -> None:
    # "if" is a stop word and "match" any text's word: If-Match must stay If-Match to tell 412 from 409
    assert "ifmatch" in terms("Client sends PATCH with If-Match carrying an old ETag")
    assert "ifnonematch" in terms("If-None-Match 보냈는데 200이 와요")
    assert "rang" in terms("if the range is wrong")  # prose keeps its words
