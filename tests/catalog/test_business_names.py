"""Business-name suggestions from technical names (catalog.business_names)."""

import pytest

from catalog.business_names import business_name, split_name


@pytest.mark.parametrize(
    ("abbreviation", "expanded"),
    [
        ("id", "ID"),
        ("qty", "Quantity"),
        ("amt", "Amount"),
        ("dt", "Date"),
        ("ts", "Timestamp"),
        ("num", "Number"),
        ("desc", "Description"),
        ("cust", "Customer"),
    ],
)
def test_the_issues_abbreviations_are_expanded(abbreviation, expanded):
    assert business_name(abbreviation) == expanded
    # … in any case, and inside longer names.
    assert business_name(abbreviation.upper()) == expanded
    assert business_name(f"film_{abbreviation}") == f"Film {expanded}"


@pytest.mark.parametrize(
    ("technical", "business"),
    [
        # the scenario's tables and columns
        ("film_category", "Film Category"),
        ("category_id", "Category ID"),
        ("streaming_films", "Streaming Films"),
        ("stream_date", "Stream Date"),
        ("release_year", "Release Year"),
        # several abbreviations in one name
        ("cust_order_dt", "Customer Order Date"),
        ("rental_amt_usd", "Rental Amount USD"),
        ("order_qty_num", "Order Quantity Number"),
        ("customer_dob", "Customer Date of Birth"),
        # separators: hyphens, spaces, repeated and leading underscores
        ("film-category", "Film Category"),
        ("film category", "Film Category"),
        ("__film__category__", "Film Category"),
    ],
)
def test_snake_case_names(technical, business):
    assert business_name(technical) == business


@pytest.mark.parametrize(
    ("technical", "business"),
    [
        ("filmCategory", "Film Category"),
        ("FilmCategory", "Film Category"),
        ("custOrderDt", "Customer Order Date"),
        ("customerID", "Customer ID"),
        ("categoryIdList", "Category ID List"),
    ],
)
def test_camel_case_names(technical, business):
    assert business_name(technical) == business


@pytest.mark.parametrize(
    ("technical", "business"),
    [
        ("address2", "Address 2"),
        ("line1_amt", "Line 1 Amount"),
        ("top10_films", "Top 10 Films"),
        ("2024_sales", "2024 Sales"),
        ("film2Category", "Film 2 Category"),
    ],
)
def test_digits_are_words_of_their_own(technical, business):
    assert business_name(technical) == business


@pytest.mark.parametrize(
    ("technical", "business"),
    [
        ("HTTPStatus", "HTTP Status"),
        ("getHTTPResponseCode", "Get HTTP Response Code"),
        ("XMLHttpRequest", "XML Http Request"),
        ("film_url", "Film URL"),
        ("source_ip", "Source IP"),
        ("ids", "IDs"),
    ],
)
def test_acronyms_stay_in_capitals(technical, business):
    assert business_name(technical) == business


@pytest.mark.parametrize(
    ("technical", "business"),
    [
        # A name written all in capitals says nothing about acronyms: its words are words.
        ("FILM_CATEGORY", "Film Category"),
        ("CUSTOMER_ID", "Customer ID"),
        ("USD_AMT", "USD Amount"),
    ],
)
def test_names_in_capitals_are_read_as_words(technical, business):
    assert business_name(technical) == business


@pytest.mark.parametrize(
    ("technical", "business"),
    [
        ("ÄpfelMenge", "Äpfel Menge"),
        ("année_fiscale", "Année Fiscale"),
        ("電影_id", "電影 ID"),
    ],
)
def test_letters_of_any_script_are_kept(technical, business):
    assert business_name(technical) == business


@pytest.mark.parametrize("technical", ["", "___", "  -  "])
def test_nothing_readable_gives_no_suggestion(technical):
    assert business_name(technical) == ""


def test_a_very_long_name_is_cut_to_the_field_length_without_a_trailing_space():
    name = "_".join(["category"] * 40)  # "Category Category …" is 359 characters
    suggested = business_name(name)
    assert len(suggested) <= 255
    assert suggested == suggested.strip()
    assert suggested.startswith("Category Category")


def test_split_name_keeps_upper_case_runs_apart_from_the_next_word():
    assert split_name("HTTPStatusCode2xx") == ["HTTP", "Status", "Code", "2", "xx"]
    assert split_name("film_category") == ["film", "category"]
