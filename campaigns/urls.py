from django.urls import path

from campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<uuid:pk>/", views.campaign_detail, name="detail"),
    path("<uuid:pk>/edit/", views.campaign_update, name="update"),
    path("<uuid:pk>/archive/", views.campaign_archive, name="archive"),
    path("<uuid:pk>/restore/", views.campaign_restore, name="restore"),
    path("<uuid:pk>/quests/add/", views.quest_add, name="quest_add"),
    path("<uuid:pk>/cohorts/add/", views.cohort_add, name="cohort_add"),
    path("<uuid:pk>/cohorts/<uuid:target_pk>/remove/", views.cohort_remove, name="cohort_remove"),
    path("quests/<uuid:pk>/edit/", views.quest_edit, name="quest_edit"),
    path("quests/<uuid:pk>/move/", views.quest_move, name="quest_move"),
    path("quests/<uuid:pk>/complete/", views.quest_complete, name="quest_complete"),
    path("quests/<uuid:pk>/delete/", views.quest_delete, name="quest_delete"),
    path("positioning/", views.positioning_list, name="positioning_list"),
    path("positioning/new/", views.positioning_form, name="positioning_create"),
    path("positioning/<uuid:pk>/", views.positioning_detail, name="positioning_detail"),
    path("positioning/<uuid:pk>/edit/", views.positioning_form, name="positioning_update"),
    path("positioning/<uuid:pk>/delete/", views.positioning_delete, name="positioning_delete"),
    path("positioning/<uuid:positioning_pk>/messages/new/", views.message_form, name="message_create"),
    path("messages/<uuid:pk>/edit/", views.message_form, name="message_update"),
    path("messages/<uuid:pk>/primary/", views.message_primary, name="message_primary"),
    path("messages/<uuid:pk>/delete/", views.message_delete, name="message_delete"),
]
