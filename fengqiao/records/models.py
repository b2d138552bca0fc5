"""Basic records (一标三实): one standard address, and the actual houses, people and
organisations at it; the care registry (关注人员); merges and imports of these records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.core.scoping import StationOwned


class Address(StationOwned):
    """A standard address (标准地址): the one spelling of a place that every record points to."""

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="addresses")
    beat = models.ForeignKey(
        "organisation.Beat", verbose_name=_("beat"), on_delete=models.PROTECT,
        related_name="addresses", null=True, blank=True,
    )
    code = models.CharField(_("address code"), max_length=40)
    district = models.CharField(_("district"), max_length=50)
    street = models.CharField(_("sub-district"), max_length=50, help_text=_("街道 / 镇"))
    community = models.CharField(_("community"), max_length=50, blank=True)
    road = models.CharField(_("road"), max_length=50)
    number = models.CharField(_("number"), max_length=20, help_text=_("门牌号, e.g. 18号"))
    building = models.CharField(_("building"), max_length=20, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=20, blank=True)
    full_text = models.CharField(_("full address"), max_length=200, db_index=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("standard address")
        verbose_name_plural = _("standard addresses")
        ordering = ["station", "road", "number", "building", "unit", "room"]
        constraints = [
            models.UniqueConstraint(fields=["station", "code"], name="address_unique_code_per_station"),
        ]

    def __str__(self) -> str:
        return self.full_text

    @staticmethod
    def compose(*, district: str, street: str, road: str, number: str, building: str = "", unit: str = "", room: str = "") -> str:
        """The full written form: 南岸区南坪街道南坪西路18号3栋2单元501."""
        return f"{district}{street}{road}{number}{building}{unit}{room}"


class House(StationOwned):
    """An actual house (实有房屋): the dwelling or premises at one standard address."""

    class Use(models.TextChoices):
        RESIDENTIAL = "residential", _("Residential")
        COMMERCIAL = "commercial", _("Commercial")
        MIXED = "mixed", _("Residential and commercial")
        DORMITORY = "dormitory", _("Staff dormitory")
        VACANT = "vacant", _("Vacant")

    class Tenure(models.TextChoices):
        OWNER_OCCUPIED = "owner_occupied", _("Owner-occupied")
        RENTED = "rented", _("Rented")
        VACANT = "vacant", _("Empty")

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="houses")
    address = models.OneToOneField(Address, verbose_name=_("address"), on_delete=models.PROTECT, related_name="house")
    beat = models.ForeignKey("organisation.Beat", verbose_name=_("beat"), on_delete=models.PROTECT,
                             related_name="houses", null=True, blank=True)
    use = models.CharField(_("use"), max_length=20, choices=Use.choices, default=Use.RESIDENTIAL)
    tenure = models.CharField(_("owner-occupied or rented"), max_length=20, choices=Tenure.choices,
                              default=Tenure.OWNER_OCCUPIED)
    landlord = models.ForeignKey("Resident", verbose_name=_("landlord"), on_delete=models.SET_NULL,
                                 related_name="houses_let", null=True, blank=True)
    landlord_name = models.CharField(_("landlord (not a resident here)"), max_length=50, blank=True)
    landlord_phone = models.CharField(_("landlord's phone"), max_length=20, blank=True)
    rental_registered_on = models.DateField(_("rental registered on"), null=True, blank=True)
    rental_expires_on = models.DateField(_("rental registration expires on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("house")
        verbose_name_plural = _("houses")
        ordering = ["station", "address__full_text"]
        indexes = [models.Index(fields=["station", "tenure"], name="house_station_tenure")]

    def __str__(self) -> str:
        return self.address.full_text


class Resident(StationOwned):
    """An actual person (实有人口), registered or migrant, at their current address.

    The identity number is kept encrypted (`id_number_cipher`), found by its keyed hash
    (`id_number_hash`) and shown masked (`id_number_masked`); birth date and sex come from
    the number. A merged duplicate stays, pointing at the record it was merged into.
    """

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Registration(models.TextChoices):
        REGISTERED = "registered", _("Registered resident (户籍)")
        MIGRANT = "migrant", _("Migrant (流动人口)")
        OVERSEAS = "overseas", _("Overseas")

    class Relation(models.TextChoices):
        OWNER = "owner", pgettext_lazy("relation to a house", "Owner")
        FAMILY = "family", _("Family of the owner")
        TENANT = "tenant", _("Tenant")
        OTHER = "other", _("Other")

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="residents")
    name = models.CharField(_("name"), max_length=50, db_index=True)
    id_number_cipher = models.TextField(_("identity number (encrypted)"), blank=True, editable=False)
    id_number_hash = models.CharField(_("identity number (search hash)"), max_length=64, blank=True, editable=False)
    id_number_masked = models.CharField(_("identity number"), max_length=18, blank=True, editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    registration = models.CharField(_("registered or migrant"), max_length=20, choices=Registration.choices,
                                    default=Registration.REGISTERED)
    address = models.ForeignKey(Address, verbose_name=_("current address"), on_delete=models.PROTECT,
                                related_name="residents", null=True, blank=True)
    beat = models.ForeignKey("organisation.Beat", verbose_name=_("beat"), on_delete=models.PROTECT,
                             related_name="residents", null=True, blank=True)
    relation = models.CharField(_("relation to the house"), max_length=20, choices=Relation.choices,
                                default=Relation.OWNER)
    moved_in_on = models.DateField(_("moved in on"), null=True, blank=True)
    moved_out_on = models.DateField(_("moved out on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    merged_into = models.ForeignKey("self", verbose_name=_("merged into"), on_delete=models.PROTECT,
                                    related_name="merged_from", null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["station", "name", "pk"]
        permissions = [
            ("reveal_resident_identifiers", _("Can reveal residents' identity and phone numbers")),
            ("import_records", _("Can import basic records")),
            ("merge_resident", _("Can merge duplicate residents")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "id_number_hash"], name="resident_one_record_per_id_number",
                condition=models.Q(merged_into__isnull=True) & ~models.Q(id_number_hash=""),
            ),
        ]
        indexes = [
            models.Index(fields=["station", "id_number_hash"], name="resident_station_id_hash"),
            models.Index(fields=["station", "phone"], name="resident_station_phone"),
            models.Index(fields=["station", "address"], name="resident_station_address"),
            models.Index(fields=["station", "beat"], name="resident_station_beat"),
            # A search by name reads only this (names of current records, in station order)
            # and then fetches the rows it found (selectors.search_residents).
            models.Index(fields=["station", "name", "id"], name="resident_current_name",
                         condition=models.Q(merged_into__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.merged_into_id is None and self.moved_out_on is None


class Organisation(StationOwned):
    """An actual organisation (实有单位): a shop, firm, school, hotel … at a standard address."""

    class Kind(models.TextChoices):
        SHOP = "shop", _("Shop")
        RESTAURANT = "restaurant", _("Restaurant")
        FIRM = "firm", _("Firm")
        SCHOOL = "school", _("School or kindergarten")
        HOTEL = "hotel", _("Hotel or guesthouse")
        HOSPITAL = "hospital", _("Hospital or clinic")
        ENTERTAINMENT = "entertainment", _("Entertainment venue")
        FINANCE = "finance", _("Bank or finance")
        MARKET = "market", _("Market")
        CONSTRUCTION = "construction", _("Construction site")
        OTHER = "other", _("Other")

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="organisations")
    name = models.CharField(_("name"), max_length=100, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SHOP)
    address = models.ForeignKey(Address, verbose_name=_("address"), on_delete=models.PROTECT,
                                related_name="organisations", null=True, blank=True)
    beat = models.ForeignKey("organisation.Beat", verbose_name=_("beat"), on_delete=models.PROTECT,
                             related_name="organisations", null=True, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    key_place = models.BooleanField(_("key place"), default=False,
                                    help_text=_("Schools, hotels, entertainment venues and other places the station watches closely."))
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["station", "name"]
        indexes = [models.Index(fields=["station", "beat"], name="organisation_station_beat")]

    def __str__(self) -> str:
        return self.name


class CareSubject(StationOwned):
    """A person who needs attention (关注人员). Seen only by leaders and the beat's officers."""

    class Reason(models.TextChoices):
        ELDERLY_ALONE = "elderly_alone", _("Elderly, living alone")
        DEMENTIA = "dementia", _("Dementia, may wander")
        DOMESTIC_VIOLENCE = "domestic_violence", _("Domestic-violence victim")
        FRAUD_TARGET = "fraud_target", _("Likely fraud target")
        COMMUNITY_CORRECTION = "community_correction", _("Under community correction")
        MENTAL_ILLNESS = "mental_illness", _("Serious mental illness")
        DRUG_REHABILITATION = "drug_rehabilitation", _("In community drug rehabilitation")
        LEFT_BEHIND_CHILD = "left_behind_child", _("Left-behind child")
        RELEASED_PRISONER = "released_prisoner", _("Released from prison")
        DISABILITY = "disability", _("Disabled, needs help")

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="care_subjects")
    resident = models.ForeignKey(Resident, verbose_name=_("resident"), on_delete=models.PROTECT, related_name="care_flags")
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    beat = models.ForeignKey("organisation.Beat", verbose_name=_("beat"), on_delete=models.PROTECT,
                             related_name="care_subjects", null=True, blank=True)
    officer = models.ForeignKey("organisation.Officer", verbose_name=_("responsible officer"), on_delete=models.PROTECT,
                                related_name="care_subjects", null=True, blank=True)
    review_on = models.DateField(_("review on"))
    notes = models.TextField(_("notes"), blank=True)
    started_on = models.DateField(_("since"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("care subject")
        verbose_name_plural = _("care subjects")
        ordering = ["station", "review_on"]
        permissions = [("view_all_care_subjects", _("Can see every care subject of the station"))]
        constraints = [
            models.UniqueConstraint(fields=["resident", "reason"], condition=models.Q(ended_on__isnull=True),
                                    name="care_subject_one_open_flag_per_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.resident} · {self.get_reason_display()}"


class ResidentMerge(StationOwned):
    """A merge of a duplicate resident into the record kept, with what each looked like before."""

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    kept = models.ForeignKey(Resident, verbose_name=_("kept"), on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Resident, verbose_name=_("merged"), on_delete=models.PROTECT, related_name="merges_merged")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("merged by"), on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    before = models.JSONField(_("before"), default=dict, help_text=_("Both records as they were, identifiers masked."))

    class Meta:
        verbose_name = _("resident merge")
        verbose_name_plural = _("resident merges")
        ordering = ["-merged_at"]


class ImportBatch(StationOwned):
    """One committed import of basic records: who loaded which file, and how many rows."""

    class Kind(models.TextChoices):
        RESIDENTS = "residents", _("Residents")
        HOUSES = "houses", _("Houses")
        ORGANISATIONS = "organisations", _("Organisations")
        ADDRESSES = "addresses", _("Addresses")

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    filename = models.CharField(_("file"), max_length=200)
    rows = models.PositiveIntegerField(_("rows"))
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    mapping = models.JSONField(_("column mapping"), default=dict)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-imported_at"]
