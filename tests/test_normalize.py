from docsvc.cases.normalize import address_key, fold, name_key


def test_names_match_across_spelling_noise() -> None:
    assert name_key("Maria O'Brien-Nguyễn") == name_key("maria obrien nguyen")
    assert name_key("O’Brien-Nguyễn, Maria") == name_key("Maria O'Brien Nguyen")
    assert name_key("Maria Smith") != name_key("Mario Smith")


def test_addresses_match_across_abbreviations() -> None:
    assert address_key("1418 Elm Street, Apt. 2") == address_key("1418 elm st apt 2")
    assert address_key("20 North Avenue") == address_key("20 N. Ave")
    assert address_key("1418 Elm Street") != address_key("1481 Elm Street")


def test_fold_handles_rtl_and_vietnamese() -> None:
    assert fold("Đặng Thị") == "dang thi"
    assert fold("محمد علي") == "محمد علي"
