"""The annotation pages: workspace, review, assignments, datasets, entities,
labels, progress and agreement, and the fragments htmx asks for."""

from django.urls import path

from .views import assignment as assignment_views
from .views import dashboard, datasets, entities, schema, workspace
from .views import review as review_views

urlpatterns = [
    path("p/<slug:slug>/a/<int:article_id>/", workspace.workspace, name="workspace"),
    path("p/<slug:slug>/next/", workspace.next_article, name="next-article"),
    path("p/<slug:slug>/review/next/", review_views.review_next, name="review-next"),
    path("p/<slug:slug>/review/<int:article_id>/", review_views.review, name="review"),
    path("p/<slug:slug>/review/<int:article_id>/accept/", review_views.review_accept, name="review-accept"),
    path("p/<slug:slug>/review/<int:article_id>/decide/", review_views.review_decide, name="review-decide"),
    path("p/<slug:slug>/review/<int:article_id>/gold/", review_views.review_gold, name="review-gold"),
    path("p/<slug:slug>/review/<int:article_id>/send-back/<int:set_id>/", review_views.review_send_back,
         name="review-send-back"),
    path("p/<slug:slug>/assignments/", assignment_views.assignments, name="assignments"),
    path("p/<slug:slug>/assignments/assign/", assignment_views.assign, name="assignments-assign"),
    path("p/<slug:slug>/assignments/<int:set_id>/unassign/", assignment_views.unassign, name="assignments-unassign"),
    path("p/<slug:slug>/assignments/release/", assignment_views.release, name="assignments-release"),
    path("p/<slug:slug>/datasets/", datasets.datasets, name="datasets"),
    path("p/<slug:slug>/datasets/export/", datasets.dataset_export, name="dataset-export"),
    path("p/<slug:slug>/datasets/import/", datasets.dataset_import, name="dataset-import"),
    path("p/<slug:slug>/labels.css", workspace.label_css, name="label-css"),
    path("p/<slug:slug>/entities/", entities.entity_list, name="entities"),
    path("p/<slug:slug>/entities/new/", entities.entity_create, name="entity-create"),
    path("p/<slug:slug>/entities/<int:entity_id>/", entities.entity_edit, name="entity-edit"),
    path("p/<slug:slug>/entities/<int:entity_id>/merge/", entities.entity_merge, name="entity-merge"),
    path("p/<slug:slug>/entities/<int:entity_id>/delete/", entities.entity_delete, name="entity-delete"),
    path("p/<slug:slug>/labels/", schema.labels, name="project-labels"),
    path("p/<slug:slug>/labels/<int:label_id>/", schema.label_edit, name="label-edit"),
    path("p/<slug:slug>/labels/<int:label_id>/delete/", schema.label_delete, name="label-delete"),
    path("p/<slug:slug>/relation-types/", schema.relation_type_create, name="relation-type-create"),
    path("p/<slug:slug>/relation-types/<int:type_id>/delete/", schema.relation_type_delete,
         name="relation-type-delete"),
    path("p/<slug:slug>/progress/", dashboard.dashboard, name="dashboard"),
    path("p/<slug:slug>/agreement/", dashboard.agreement, name="agreement"),
    path("p/<slug:slug>/a/<int:article_id>/history/", dashboard.article_history, name="article-history"),
    path("sets/<int:set_id>/spans/", workspace.span_create, name="span-create"),
    path("sets/<int:set_id>/relations/", workspace.relation_create, name="relation-create"),
    path("sets/<int:set_id>/submit/", workspace.set_submit, name="set-submit"),
    path("sets/<int:set_id>/reopen/", workspace.set_reopen, name="set-reopen"),
    path("sets/<int:set_id>/undo/<int:event_id>/", workspace.span_restore, name="span-restore"),
    path("spans/<int:span_id>/", workspace.span_panel, name="span-panel"),
    path("spans/<int:span_id>/edit/", workspace.span_update, name="span-update"),
    path("spans/<int:span_id>/delete/", workspace.span_delete, name="span-delete"),
    path("spans/<int:span_id>/entity/", workspace.span_entity, name="span-entity"),
    path("spans/<int:span_id>/entities/", workspace.entity_search, name="entity-search"),
    path("spans/<int:span_id>/targets/", workspace.relation_targets, name="relation-targets"),
    path("relations/<int:relation_id>/delete/", workspace.relation_delete, name="relation-delete"),
]
