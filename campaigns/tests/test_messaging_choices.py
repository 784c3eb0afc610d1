"""The campaign form's messaging dropdown offers only the chosen positioning's messaging (issue 17).

Without JavaScript: the server narrows the options to the positioning the
form stands on, and "Update messaging choices" re-renders with the submitted
positioning, saving nothing and showing no error. With JavaScript,
``static/campaigns/messaging_choices.js`` rebuilds the options in place from
the same data (``#messaging-choices``). The pair is still validated on save.
"""

import json
import re

import pytest

from campaigns.models import Campaign
from campaigns.tests.factories import make_architecture, make_campaign, make_positioning

pytestmark = pytest.mark.django_db


def messaging_options(page: str) -> list[str]:
    select = re.search(r'<select name="message_architecture".*?</select>', page, re.S).group(0)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


@pytest.fixture
def two_positionings(tenant_a):
    trail, winter = make_positioning(tenant_a, "Long trail"), make_positioning(tenant_a, "Winter layering")
    make_architecture(tenant_a, trail, "Trail story", version=2)
    make_architecture(tenant_a, winter, "Layer guide")
    return trail, winter


def test_the_edit_form_offers_only_the_campaigns_positioning_messaging(tenant_a, client_for, two_positionings):
    trail, _ = two_positionings
    campaign = make_campaign(tenant_a, "Trail launch", positioning=trail)
    page = client_for(tenant_a.marketer, tenant_a.workspace).get(f"/campaigns/{campaign.pk}/edit/").content.decode()
    assert messaging_options(page) == ["---------", "Trail story v2"]


def test_without_a_positioning_every_messaging_is_offered_grouped_by_positioning(tenant_a, client_for, two_positionings):
    page = client_for(tenant_a.marketer, tenant_a.workspace).get("/campaigns/new/").content.decode()
    assert messaging_options(page) == ["---------", "Trail story v2", "Layer guide v1"]
    assert '<optgroup label="Long trail">' in page and '<optgroup label="Winter layering">' in page


def test_update_choices_without_javascript_narrows_to_the_submitted_positioning_and_saves_nothing(
    tenant_a, client_for, two_positionings
):
    _, winter = two_positionings
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    page = client.get("/campaigns/new/").content.decode()
    assert '<noscript><p><button type="submit" name="update_choices"' in page

    # The marketer picks a positioning and presses "Update messaging choices" (a typo in the budget too).
    response = client.post("/campaigns/new/", {"name": "Layers 101", "status": "draft", "positioning": winter.pk,
                                               "budget": "lots", "update_choices": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert messaging_options(page) == ["---------", "Layer guide v1"]
    # What was typed stays, no error is shown yet, nothing is saved.
    assert 'value="Layers 101"' in page and 'value="lots"' in page
    assert "Please correct" not in page and not response.context["form"].is_bound
    with tenant_a.context():
        assert not Campaign.objects.exists()


def test_the_script_gets_every_positioning_messaging_as_data(tenant_a, client_for, two_positionings):
    trail, winter = two_positionings
    response = client_for(tenant_a.marketer, tenant_a.workspace).get("/campaigns/new/")
    page = response.content.decode()
    data = json.loads(re.search(r'<script id="messaging-choices" type="application/json">(.*?)</script>', page, re.S).group(1))
    assert [(g["id"], g["name"], [label for _, label in g["options"]]) for g in data] == [
        (str(trail.pk), "Long trail", ["Trail story v2"]), (str(winter.pk), "Winter layering", ["Layer guide v1"]),
    ]
    assert "/static/campaigns/messaging_choices.js" in page


def test_messaging_of_another_positioning_is_still_refused_on_save(tenant_a, client_for, two_positionings):
    trail, winter = two_positionings
    with tenant_a.context():
        layer_guide = winter.message_architectures.get()
    response = client_for(tenant_a.marketer, tenant_a.workspace).post(
        "/campaigns/new/", {"name": "Mixed up", "status": "draft", "positioning": trail.pk, "message_architecture": layer_guide.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["message_architecture"] == ["Choose messaging of the selected positioning (Long trail)."]
