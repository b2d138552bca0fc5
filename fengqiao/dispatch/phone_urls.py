"""The officer's phone page (警务通) at /m/: pages, the pieces the page refreshes, and each step."""

from django.urls import path

from . import phone_views as views

app_name = "phone"
urlpatterns = [
    path("", views.my_work, name="home"),
    # The pieces the page fetches again when the live stream says something of mine changed.
    path("part/orders/", views.orders_part, name="orders_part"),
    path("part/follow-ups/", views.follow_ups_part, name="follow_ups_part"),
    path("part/me/", views.me_part, name="me_part"),
    path("orders/<int:pk>/", views.order_page, name="order"),
    path("orders/<int:pk>/card/", views.order_card, name="card"),
    path("orders/<int:pk>/acknowledge/", views.take_step, {"action": "acknowledge"}, name="acknowledge"),
    path("orders/<int:pk>/depart/", views.take_step, {"action": "depart"}, name="depart"),
    path("orders/<int:pk>/arrive/", views.take_step, {"action": "arrive"}, name="arrive"),
    path("orders/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("orders/<int:pk>/return/", views.return_order, name="return"),
    path("follow-ups/<int:pk>/", views.record_follow_up, name="follow_up"),
    path("me/duty/", views.set_duty, name="duty"),
    path("me/position/", views.report_position, name="position"),
]
